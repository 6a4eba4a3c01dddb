import type { OperationRow, OperationState, StoredOutcome, WalEntry, WalState } from '../store.js';

/** An operations row as node-postgres returns it (bigint columns arrive as strings). */
export interface OperationRecord {
  readonly op_id: string;
  readonly orchestrator: string;
  readonly scope: string;
  readonly idem_key: string;
  readonly payload: string;
  readonly payload_hash: string;
  readonly state: OperationState;
  readonly attempt: number;
  readonly next_attempt_at: string | null;
  readonly lease_owner: string | null;
  readonly lease_expires_at: string | null;
  readonly uncertain: boolean;
  readonly outcome: StoredOutcome | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface WalRecord {
  readonly op_id: string;
  readonly attempt: number;
  readonly outcome: StoredOutcome;
  readonly state: WalState;
  readonly created_at: string;
  readonly completed_at: string | null;
}

export function toOperation(row: OperationRecord): OperationRow {
  return {
    opId: row.op_id,
    orchestrator: row.orchestrator,
    scope: row.scope,
    idemKey: row.idem_key,
    payload: row.payload,
    payloadHash: row.payload_hash,
    state: row.state,
    attempt: row.attempt,
    nextAttemptAt: toMillisOrNull(row.next_attempt_at),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: toMillisOrNull(row.lease_expires_at),
    uncertain: row.uncertain,
    outcome: row.outcome,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toWalEntry(row: WalRecord): WalEntry {
  return {
    opId: row.op_id,
    attempt: row.attempt,
    outcome: row.outcome,
    state: row.state,
    createdAt: Number(row.created_at),
    completedAt: toMillisOrNull(row.completed_at),
  };
}

function toMillisOrNull(value: string | null): number | null {
  return value === null ? null : Number(value);
}
