// What PostgreSQL adds to the store contract: many stores (workers) on one database at once.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';
import type { OperationRow, StoredOutcome, WalKey } from '../../src/store/store.js';
import { eventually, freshDatabase, newOperation, recordingLogger } from './helpers.js';

let url: string;
const stores: PostgresStore[] = [];

function openStore(options: Omit<PostgresStoreOptions, 'connectionString' | 'pool'> = {}): PostgresStore {
  const store = new PostgresStore({ connectionString: url, logger: recordingLogger(), ...options });
  stores.push(store);
  return store;
}

async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const ok = (attempt: number): StoredOutcome => ({ kind: 'ok', attempt, value: { txId: `tx-${attempt}` } });
const retry = (attempt: number, nextAttemptAt: number): StoredOutcome => ({
  kind: 'retry',
  attempt,
  reason: 'gateway timeout',
  uncertain: true,
  backoffMs: nextAttemptAt - 2_000,
  nextAttemptAt,
});

/** Accepts `count` operations and claims them all in one store; returns the claimed rows. */
async function claimedOperations(store: PostgresStore, count: number): Promise<OperationRow[]> {
  for (let i = 0; i < count; i++) await store.insertOperation(newOperation());
  return store.claimDueOperations({ now: 2_000, limit: count, leaseOwner: 'w1', leaseMs: 30_000, orchestrators: ['payment'] });
}

const noHook = async (): Promise<void> => {};

// Every test on its own empty database: claims and notifications must not see another test's rows.
beforeEach(async () => {
  url = await freshDatabase();
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe('schema migration', () => {
  it('migrates once when many workers start together on an empty database', async () => {
    const starting = Array.from({ length: 8 }, () => openStore());
    await Promise.all(starting.map((store) => store.migrate()));

    const versions = await sql<{ version: number }>('SELECT version FROM safecall.schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual([1]);
    const tables = await sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'safecall' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['operations', 'schema_migrations', 'wal']);
  });

  it('logs the migration in exactly one of the workers that started together', async () => {
    const loggers = Array.from({ length: 6 }, () => recordingLogger());
    await Promise.all(loggers.map((logger) => openStore({ logger }).migrate()));
    const migrations = loggers.flatMap((logger) => logger.records.filter((r) => r.message === 'PostgreSQL schema migrated'));
    expect(migrations).toHaveLength(1);
    expect(migrations[0]!.fields).toMatchObject({ applied: [1] });
  });

  it('keeps stores in different schemas of one database apart', async () => {
    const blue = openStore({ schema: 'blue' });
    const green = openStore({ schema: 'green' });
    const op = newOperation();
    await blue.insertOperation(op);
    expect(await blue.getOperation(op.opId)).toBeDefined();
    expect(await green.getOperation(op.opId)).toBeUndefined();
  });

  it('refuses a schema name that is not a plain SQL identifier', () => {
    expect(() => openStore({ schema: 'safecall"; DROP TABLE x; --' })).toThrow(/lower-case SQL identifier/);
  });

  it('refuses to run on a schema migrated by a newer version', async () => {
    await openStore().migrate();
    await sql('INSERT INTO safecall.schema_migrations (version) VALUES (99)');
    await expect(openStore().migrate()).rejects.toThrow(/version 99, newer than this @safecall\/runtime knows \(1\)/);
  });
});

describe('claiming due operations', () => {
  it('never gives one operation to two workers claiming at the same time', async () => {
    const accepting = openStore();
    const ops = Array.from({ length: 120 }, (_, i) => newOperation({ now: 1_000 + i }));
    for (const op of ops) await accepting.insertOperation(op);

    const workers = Array.from({ length: 6 }, () => openStore({ poolSize: 2 }));
    const claimedBy = await Promise.all(
      workers.map(async (worker, w) => {
        const mine: string[] = [];
        for (;;) {
          const batch = await worker.claimDueOperations({
            now: 5_000,
            limit: 7,
            leaseOwner: `w${w}`,
            leaseMs: 30_000,
            orchestrators: ['payment'],
          });
          if (batch.length === 0) return mine;
          mine.push(...batch.map((op) => op.opId));
        }
      }),
    );

    const all = claimedBy.flat();
    expect(all).toHaveLength(ops.length);
    expect(new Set(all).size).toBe(ops.length);
    expect(claimedBy.filter((mine) => mine.length > 0).length).toBeGreaterThan(1);
  });

  it('returns a claim oldest-due first with the lease and the next attempt number', async () => {
    const store = openStore();
    const late = newOperation({ now: 3_000 });
    const early = newOperation({ now: 1_000 });
    await store.insertOperation(late);
    await store.insertOperation(early);
    const claimed = await store.claimDueOperations({
      now: 4_000,
      limit: 10,
      leaseOwner: 'worker-a',
      leaseMs: 500,
      orchestrators: ['payment'],
    });
    expect(claimed.map((op) => op.opId)).toEqual([early.opId, late.opId]);
    expect(claimed[0]).toMatchObject({ state: 'IN_PROGRESS', attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: 4_500, nextAttemptAt: null });
  });
});

describe('Finalizer and Reaper in every worker', () => {
  it('applies a WAL entry once when several workers finalize it at the same time', async () => {
    const [op] = await claimedOperations(openStore(), 1);
    const key: WalKey = { opId: op!.opId, attempt: 1 };
    await openStore().appendWal([{ ...key, outcome: ok(1), now: 3_000 }]);

    const hookRuns: string[] = [];
    const workers = Array.from({ length: 5 }, () => openStore());
    const results = await Promise.all(
      workers.map((worker, w) => worker.finalizeWal([key], 3_000, async () => void hookRuns.push(`w${w}`))),
    );

    const statuses = results.map(([result]) => result!.status).sort();
    expect(statuses).toEqual(['absent', 'absent', 'absent', 'absent', 'applied']);
    expect(hookRuns).toHaveLength(1);
    expect(await workers[0]!.getOperation(key.opId)).toMatchObject({ state: 'SUCCEEDED', leaseOwner: null, outcome: ok(1) });
  });

  it('keeps only the first outcome when two reapers record one expired attempt', async () => {
    const [op] = await claimedOperations(openStore(), 1);
    const key: WalKey = { opId: op!.opId, attempt: 1 };
    const reapers = [openStore(), openStore()];
    const appended = await Promise.all(
      reapers.map((reaper, r) => reaper.appendWal([{ ...key, outcome: retry(1, 10_000 + r), now: 40_000 }])),
    );
    expect(appended.flat().sort()).toEqual([false, true]);

    const finalized = await Promise.all(reapers.map((reaper) => reaper.finalizeWal([key], 40_000, noHook)));
    expect(finalized.flat().map((r) => r.status).sort()).toEqual(['absent', 'applied']);
    const [entry] = await reapers[0]!.listWal(key.opId);
    const row = await reapers[0]!.getOperation(key.opId);
    expect(row).toMatchObject({ state: 'RETRY_SCHEDULED', uncertain: true, nextAttemptAt: (entry!.outcome as { nextAttemptAt: number }).nextAttemptAt });
  });

  it('refuses a zombie worker’s outcome for an attempt the reaper already decided', async () => {
    const store = openStore();
    const [op] = await claimedOperations(store, 1);
    const first: WalKey = { opId: op!.opId, attempt: 1 };
    await store.appendWal([{ ...first, outcome: retry(1, 2_500), now: 2_500 }]);
    await store.finalizeWal([first], 2_500, noHook);
    await store.claimDueOperations({ now: 3_000, limit: 1, leaseOwner: 'w2', leaseMs: 30_000, orchestrators: ['payment'] });

    const zombie = openStore();
    expect(await zombie.appendWal([{ ...first, outcome: ok(1), now: 3_100 }])).toEqual([false]);
    expect((await zombie.finalizeWal([first], 3_100, noHook))[0]).toMatchObject({ status: 'absent' });
    expect(await store.getOperation(op!.opId)).toMatchObject({ state: 'IN_PROGRESS', attempt: 2, leaseOwner: 'w2' });
  });

  it('marks a PENDING entry STALE, without running the hook, when its operation has moved on to another attempt', async () => {
    const store = openStore();
    const [op] = await claimedOperations(store, 1);
    const key: WalKey = { opId: op!.opId, attempt: 1 };
    await store.appendWal([{ ...key, outcome: ok(1), now: 3_000 }]);
    await sql(`UPDATE safecall.operations SET attempt = 2 WHERE op_id = $1`, [key.opId]);

    let hookRan = false;
    const [result] = await store.finalizeWal([key], 3_300, async () => {
      hookRan = true;
    });
    expect(result).toMatchObject({ status: 'stale', operation: { state: 'IN_PROGRESS', attempt: 2 } });
    expect(hookRan).toBe(false);
    expect((await store.listWal(key.opId))[0]).toMatchObject({ state: 'STALE', completedAt: 3_300 });
  });
});

describe('group commit', () => {
  it('commits concurrent WAL appends together: one statement for the first, one for all that queued behind it', async () => {
    const store = openStore();
    const ops = await claimedOperations(store, 30);
    const statements: string[] = [];
    const query = store.pool.query.bind(store.pool);
    store.pool.query = ((text: string, ...rest: unknown[]) => {
      statements.push(text);
      return (query as (...args: unknown[]) => unknown)(text, ...rest);
    }) as typeof store.pool.query;

    const appended = await Promise.all(ops.map((op) => store.appendWal([{ opId: op.opId, attempt: 1, outcome: ok(1), now: 3_000 }])));

    expect(appended.flat()).toEqual(ops.map(() => true));
    expect(statements.filter((text) => text.includes('INSERT INTO "safecall".wal'))).toHaveLength(2);
    const pending = await store.listPendingWal({ createdBefore: 4_000, limit: 100, orchestrators: ['payment'] });
    expect(pending).toHaveLength(30);
  });

  it('finalizes concurrent entries in shared transactions, each hook seeing its own operation', async () => {
    const store = openStore({ maxBatch: 10 });
    const ops = await claimedOperations(store, 25);
    await store.appendWal(ops.map((op) => ({ opId: op.opId, attempt: 1, outcome: ok(1), now: 3_000 })));

    const transactionOf = new Map<string, string>();
    const results = await Promise.all(
      ops.map((op) =>
        store.finalizeWal([{ opId: op.opId, attempt: 1 }], 3_000, async (tx, entry, operation) => {
          const { rows } = await tx.query<{ txid: string }>('SELECT txid_current()::text AS txid');
          expect(operation).toMatchObject({ opId: entry.opId, state: 'SUCCEEDED' });
          transactionOf.set(operation.opId, rows[0]!.txid);
        }),
      ),
    );

    expect(results.flat().map((r) => r.status)).toEqual(ops.map(() => 'applied'));
    // 1 alone, then 24 queued behind it in batches of at most 10: 1 + 10 + 10 + 4.
    const batchSizes = [...countBy(transactionOf.values()).values()].sort((a, b) => a - b);
    expect(batchSizes).toEqual([1, 4, 10, 10]);
  });

  it('rolls back only the entry whose Finalizer hook throws; the rest of the batch commits', async () => {
    const store = openStore();
    const ops = await claimedOperations(store, 6);
    await store.appendWal(ops.map((op) => ({ opId: op.opId, attempt: 1, outcome: ok(1), now: 3_000 })));
    const broken = ops[3]!.opId;

    const results = await Promise.all(
      ops.map((op) =>
        store.finalizeWal([{ opId: op.opId, attempt: 1 }], 3_000, async (tx, entry) => {
          await tx.query(`CREATE TABLE IF NOT EXISTS ledger (op_id text PRIMARY KEY)`);
          await tx.query(`INSERT INTO ledger VALUES ($1)`, [entry.opId]);
          if (entry.opId === broken) throw new Error('domain rule violated');
        }),
      ),
    );

    const statusOf = new Map(results.flat().map((r) => [r.opId, r.status]));
    expect([...statusOf.entries()].filter(([, status]) => status === 'failed').map(([opId]) => opId)).toEqual([broken]);
    expect(results.flat().find((r) => r.opId === broken)!.error).toBeInstanceOf(Error);
    const ledger = await sql<{ op_id: string }>('SELECT op_id FROM ledger ORDER BY op_id');
    expect(ledger.map((row) => row.op_id)).toEqual(ops.map((op) => op.opId).filter((id) => id !== broken).sort());
    expect(await store.getOperation(broken)).toMatchObject({ state: 'IN_PROGRESS', attempt: 1 });
    expect((await store.listWal(broken))[0]).toMatchObject({ state: 'PENDING' });
  });
});

describe('LISTEN/NOTIFY wake-ups', () => {
  it('wakes a subscribed worker when another process accepts an operation, not for a repeated key', async () => {
    const worker = openStore();
    const woken: (string | null)[] = [];
    worker.subscribeDue((orchestrator) => woken.push(orchestrator));
    await worker.dueSubscriptionReady();

    const api = openStore();
    const op = newOperation({ orchestrator: 'email' });
    await api.insertOperation(op);
    await eventually(() => woken.length === 1);
    await api.insertOperation({ ...op, opId: 'another-id' });
    await api.insertOperation(newOperation({ orchestrator: 'sms' }));
    await eventually(() => woken.length === 2);
    expect(woken).toEqual(['email', 'sms']);
  });

  it('wakes subscribers when a stopping worker releases an operation', async () => {
    const store = openStore();
    const [op] = await claimedOperations(store, 1);
    const woken: (string | null)[] = [];
    const unsubscribe = store.subscribeDue((orchestrator) => woken.push(orchestrator));
    await store.dueSubscriptionReady();
    expect(await store.releaseOperation({ opId: op!.opId, attempt: 1, now: 2_500 })).toBe(true);
    await eventually(() => woken.length === 1);
    unsubscribe();
    expect(await store.getOperation(op!.opId)).toMatchObject({ state: 'ACCEPTED', attempt: 0, nextAttemptAt: 2_500 });
  });

  it('sends no notification when notify is off', async () => {
    const listener = openStore();
    const woken: (string | null)[] = [];
    listener.subscribeDue((orchestrator) => woken.push(orchestrator));
    await listener.dueSubscriptionReady();
    await openStore({ notify: false }).insertOperation(newOperation());
    await openStore().insertOperation(newOperation({ orchestrator: 'marker' }));
    await eventually(() => woken.length > 0);
    expect(woken).toEqual(['marker']);
  });
});

describe('construction', () => {
  it('works on a pool the application owns and leaves it open on close', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const store = new PostgresStore(pool);
    const op = newOperation();
    expect((await store.insertOperation(op)).created).toBe(true);
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('takes a bare connection string, and ends the pool it created on close', async () => {
    const store = new PostgresStore(url);
    expect((await store.insertOperation(newOperation())).created).toBe(true);
    await store.close();
    expect(store.pool.ended).toBe(true);
  });

  it('explains what it needs when given neither a connection string nor a pool', () => {
    expect(() => new PostgresStore({})).toThrow(/connection string or a pg.Pool/);
  });
});

function countBy<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
