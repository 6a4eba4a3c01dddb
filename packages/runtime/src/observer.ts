import type { OperationState, StoredOutcome } from './store/store.js';

export interface AcceptedEvent {
  readonly opId: string;
  readonly orchestrator: string;
  readonly scope: string;
  readonly idemKey: string;
  /** false when the key existed and accept returned the earlier operation. */
  readonly created: boolean;
}

export interface ClaimedEvent {
  readonly opId: string;
  readonly orchestrator: string;
  readonly attempt: number;
  readonly leaseExpiresAt: number;
}

export interface ExecutingEvent {
  readonly opId: string;
  readonly orchestrator: string;
  readonly attempt: number;
  readonly idempotencyKey: string;
}

export interface WalEvent {
  readonly opId: string;
  readonly orchestrator: string;
  readonly attempt: number;
  readonly outcome: StoredOutcome;
}

export interface FinalizedEvent {
  readonly opId: string;
  readonly orchestrator: string;
  readonly attempt: number;
  /** applied: the outcome was recorded now; stale: its attempt had been superseded, nothing changed. */
  readonly status: 'applied' | 'stale';
  readonly state: OperationState;
}

export interface ReapedEvent {
  readonly opId: string;
  readonly orchestrator: string;
  readonly attempt: number;
  readonly outcome: StoredOutcome;
}

/**
 * Synchronous callbacks at each step of the lifecycle, for logs and metrics — and for crash tests, which
 * kill the process inside a callback to stop at an exact phase. A callback that throws is logged and ignored.
 */
export interface LifecycleObserver {
  /** After the operation row is committed (or the existing one found), before `accept` resolves. */
  accepted?(event: AcceptedEvent): void;
  /** After the claim (state IN_PROGRESS, attempt incremented, lease set) is committed; before reconcile/execute. */
  claimed?(event: ClaimedEvent): void;
  /** Just before `executeInternal` is called (after any reconcile); nothing about this attempt's call is stored yet. */
  executing?(event: ExecutingEvent): void;
  /** After the attempt's outcome is committed to the WAL as PENDING, before the finalize transaction begins. */
  walAppended?(event: WalEvent): void;
  /**
   * Inside the finalize transaction, after the operation row is updated and the Finalizer's hook ran, before
   * COMMIT: a crash here rolls all of it back and leaves the WAL entry PENDING. Only for entries being applied.
   */
  finalizing?(event: WalEvent): void;
  /** After the finalize transaction committed (applied), or the entry was marked STALE. */
  finalized?(event: FinalizedEvent): void;
  /** After the reaper committed its decision on an expired lease to the WAL, before it finalizes it. */
  reaped?(event: ReapedEvent): void;
}
