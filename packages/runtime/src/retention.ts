import type { RuntimeContext } from './context.js';

export interface RetentionPolicy {
  /** Terminal operations (and so their keys) are kept at least this long. */
  readonly keyRetentionMs: number;
  /** Finished WAL entries are kept this long, for inspection. */
  readonly walRetentionMs: number;
}

/**
 * Deletes finished WAL entries and terminal operations past their retention, in batches so no statement
 * holds locks for long. The runtime does this itself rather than trusting a store TTL, which can lag.
 */
export async function pruneExpired<Tx>(context: RuntimeContext<Tx>, policy: RetentionPolicy): Promise<{ wal: number; operations: number }> {
  const now = context.clock.now();
  const wal = await deleteInBatches(context.batchSize, (limit) =>
    context.store.deleteFinishedWal({ createdBefore: now - policy.walRetentionMs, limit }),
  );
  const operations = await deleteInBatches(context.batchSize, (limit) =>
    context.store.pruneOperations({ updatedBefore: now - policy.keyRetentionMs, limit }),
  );
  return { wal, operations };
}

async function deleteInBatches(batchSize: number, deleteBatch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
