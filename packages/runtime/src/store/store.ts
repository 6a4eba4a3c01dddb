/**
 * The storage contract of the runtime. Every method is async so a networked database fits; all times
 * are epoch milliseconds passed in by the caller (stores never read a clock), which keeps them testable.
 * `Tx` is the handle a Finalizer gets to write domain state in the finalize transaction
 * (better-sqlite3's Database for SqliteStore, a pg PoolClient for PostgresStore).
 */

/**
 * ACCEPTED → IN_PROGRESS → SUCCEEDED | FAILED | RETRY_SCHEDULED → IN_PROGRESS → ...
 * ACCEPTED and RETRY_SCHEDULED are due once `nextAttemptAt <= now`.
 */
export type OperationState = 'ACCEPTED' | 'IN_PROGRESS' | 'RETRY_SCHEDULED' | 'SUCCEEDED' | 'FAILED';

export const TERMINAL_STATES: readonly OperationState[] = ['SUCCEEDED', 'FAILED'];

/** PENDING: written, not yet applied. COMPLETED: applied. STALE: its attempt had been superseded; not applied. */
export type WalState = 'PENDING' | 'COMPLETED' | 'STALE';

/** An attempt's outcome as stored: the Outcome plus the attempt it belongs to and the decision taken on it. */
export type StoredOutcome =
  | { readonly kind: 'ok'; readonly attempt: number; readonly value: unknown }
  | {
      readonly kind: 'retry';
      readonly attempt: number;
      readonly reason: string;
      readonly uncertain: boolean;
      readonly backoffMs: number;
      readonly nextAttemptAt: number;
    }
  | {
      readonly kind: 'fail';
      readonly attempt: number;
      readonly code: string;
      readonly message: string;
      readonly cause?: string;
    };

export interface NewOperation {
  readonly opId: string;
  readonly orchestrator: string;
  readonly scope: string;
  readonly idemKey: string;
  /** The command as canonical JSON. */
  readonly payload: string;
  /** sha256 (hex) of `payload`; compared to detect a key reused with another payload. */
  readonly payloadHash: string;
  /** Becomes createdAt, updatedAt and nextAttemptAt (due immediately). */
  readonly now: number;
}

export interface OperationRow {
  readonly opId: string;
  readonly orchestrator: string;
  readonly scope: string;
  readonly idemKey: string;
  readonly payload: string;
  readonly payloadHash: string;
  readonly state: OperationState;
  /** Number of attempts claimed so far (0 until the first claim). */
  readonly attempt: number;
  /** When an ACCEPTED / RETRY_SCHEDULED operation becomes due; null otherwise. */
  readonly nextAttemptAt: number | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  /** The last attempt may have reached the provider with an unknown effect: reconcile before the next one. */
  readonly uncertain: boolean;
  /** The outcome of the last finalized attempt. */
  readonly outcome: StoredOutcome | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface InsertOperationResult {
  /** false: an operation with the same (orchestrator, scope, idemKey) existed; `operation` is that one. */
  readonly created: boolean;
  readonly operation: OperationRow;
}

export interface ClaimRequest {
  readonly now: number;
  readonly limit: number;
  readonly leaseOwner: string;
  /** The lease ends at now + leaseMs; after that the reaper may take the operation back. */
  readonly leaseMs: number;
  /** Only operations of these orchestrators (the ones this process can execute). */
  readonly orchestrators: readonly string[];
}

export interface WalKey {
  readonly opId: string;
  readonly attempt: number;
}

export interface NewWalEntry extends WalKey {
  readonly outcome: StoredOutcome;
  readonly now: number;
}

export interface WalEntry extends WalKey {
  readonly outcome: StoredOutcome;
  readonly state: WalState;
  readonly createdAt: number;
  readonly completedAt: number | null;
}

/**
 * Runs inside the finalize transaction after the operation row was updated; throwing rolls back the
 * whole finalize (the entry stays PENDING and is retried by the finalizer loop).
 */
export type FinalizeHook<Tx> = (tx: Tx, entry: WalEntry, operation: OperationRow) => void | Promise<void>;

/**
 * applied: the operation was updated, the hook ran, the entry is COMPLETED — all in one commit.
 * stale: the operation had moved on (another attempt, or terminal); the entry is marked STALE, no hook.
 * absent: no PENDING entry with this key (already finalized by someone else, or never written).
 * failed: the hook or the store threw; nothing was written.
 */
export type FinalizeStatus = 'applied' | 'stale' | 'absent' | 'failed';

export interface FinalizeResult extends WalKey {
  readonly status: FinalizeStatus;
  /** The operation after the transaction (for applied and stale). */
  readonly operation?: OperationRow;
  readonly error?: unknown;
}

export interface ListOperationsQuery {
  readonly orchestrator?: string;
  readonly state?: OperationState;
  /** Keyset pagination: only operations with opId greater than this. */
  readonly afterOpId?: string;
  readonly limit: number;
}

export interface Store<Tx = unknown> {
  /**
   * INSERT under UNIQUE(orchestrator, scope, idem_key); on a duplicate key returns the existing row
   * with created=false. The constraint decides, never a read-then-write, so concurrent duplicates are safe.
   */
  insertOperation(op: NewOperation): Promise<InsertOperationResult>;

  getOperation(opId: string): Promise<OperationRow | undefined>;

  /**
   * Atomically takes up to `limit` due operations (ACCEPTED / RETRY_SCHEDULED with nextAttemptAt <= now,
   * oldest due first): state IN_PROGRESS, attempt + 1, lease set. Two concurrent claimers never get the
   * same operation (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time).
   */
  claimDueOperations(request: ClaimRequest): Promise<OperationRow[]>;

  /**
   * Appends PENDING entries, at most one per (opId, attempt): an entry whose key exists is not written
   * (the first recorded outcome of an attempt wins) and its slot in the result is false. Entries may be
   * committed together (group commit).
   */
  appendWal(entries: readonly NewWalEntry[]): Promise<boolean[]>;

  /**
   * For each key, in one transaction per entry (a store may share a commit between entries with
   * savepoints): if the entry is PENDING and the operation is IN_PROGRESS at the entry's attempt (the
   * fence), apply the outcome to the operation (see `operationUpdateFor`), run `hook`, mark the entry
   * COMPLETED; otherwise mark it STALE. Results are in the order of `keys`.
   */
  finalizeWal(keys: readonly WalKey[], now: number, hook: FinalizeHook<Tx>): Promise<FinalizeResult[]>;

  /** PENDING entries of these orchestrators' operations created before `createdBefore`, oldest first (what a crash left behind). */
  listPendingWal(query: {
    readonly createdBefore: number;
    readonly limit: number;
    readonly orchestrators: readonly string[];
  }): Promise<WalEntry[]>;

  /** Every WAL entry of an operation, by attempt. */
  listWal(opId: string): Promise<WalEntry[]>;

  /** IN_PROGRESS operations of these orchestrators whose lease ended at or before `now`. */
  findExpiredLeases(query: {
    readonly now: number;
    readonly limit: number;
    readonly orchestrators: readonly string[];
  }): Promise<OperationRow[]>;

  /**
   * The earliest time something will need doing for these orchestrators: the next due attempt, or the
   * next lease expiry; null when every operation is terminal.
   */
  nextWakeAt(query: { readonly orchestrators: readonly string[] }): Promise<number | null>;

  /** Deletes up to `limit` COMPLETED or STALE entries created before `createdBefore`; returns how many. */
  deleteFinishedWal(query: { readonly createdBefore: number; readonly limit: number }): Promise<number>;

  /**
   * Deletes up to `limit` terminal operations last updated before `updatedBefore` (their keys become
   * reusable), with their WAL entries; returns how many operations.
   */
  pruneOperations(query: { readonly updatedBefore: number; readonly limit: number }): Promise<number>;

  listOperations(query: ListOperationsQuery): Promise<OperationRow[]>;

  /**
   * Optional push wake-ups (PostgresStore: LISTEN/NOTIFY): calls `listener` when an operation becomes due now
   * in any process, with its orchestrator, or with null when notifications may have been missed. Polling
   * stays the fallback. Returns the unsubscribe function.
   */
  subscribeDue?(listener: (orchestrator: string | null) => void): () => void;

  close(): Promise<void>;
}
