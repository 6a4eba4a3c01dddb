// Many workers on one PostgreSQL database, each a Runtime with its own PostgresStore (its own pool), as
// separate processes would be. The multi-process version with SIGKILL/SIGSTOP is test/crash/postgres-crash.test.ts.
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  Finalizer,
  PostgresStore,
  Runtime,
  idempotencyKeyOf,
  silentLogger,
  type FinalizeRecord,
  type OpId,
} from '@safecall/runtime';
import { charge, FakeGateway, PaymentOrchestrator, PaymentReaper, type Charge, type ChargeCommand } from '../support/payments.js';
import { eventually, freshDatabase, recordingLogger } from './helpers.js';

/** Records each finalized attempt in a domain table without a unique key, so a double apply would show. */
class PaymentFinalizer extends Finalizer<PaymentOrchestrator, pg.PoolClient> {
  async finalize(tx: pg.PoolClient, record: FinalizeRecord<ChargeCommand, Charge>): Promise<void> {
    await tx.query('INSERT INTO payments (op_id, attempt, state) VALUES ($1, $2, $3)', [record.opId, record.attempt, record.state]);
  }
}

let url: string;
let check: pg.Client;
const running: { runtime: Runtime<pg.PoolClient>; store: PostgresStore }[] = [];

beforeEach(async () => {
  url = await freshDatabase();
  check = new pg.Client({ connectionString: url });
  await check.connect();
  await check.query('CREATE TABLE payments (op_id text NOT NULL, attempt integer NOT NULL, state text NOT NULL)');
});

afterEach(async () => {
  for (const { runtime, store } of running.splice(0)) {
    await runtime.stop();
    await store.close();
  }
  await check.end();
});

/** Starts `count` workers; `claims[w]` counts the attempts worker w claimed. */
function startWorkers(count: number, gateway: FakeGateway, claims: number[] = []): Runtime<pg.PoolClient>[] {
  return Array.from({ length: count }, (_, w) => {
    claims[w] = 0;
    const store = new PostgresStore({ connectionString: url, poolSize: 4, logger: recordingLogger() });
    const runtime = new Runtime({
      store,
      logger: silentLogger,
      workerId: `worker-${w}`,
      concurrency: 4,
      pollIntervalMs: 20,
      walRecoveryDelayMs: 1,
      observer: { claimed: () => void (claims[w] = (claims[w] ?? 0) + 1) },
    });
    runtime.register(new PaymentOrchestrator(gateway, { backoff: { initialMs: 10, maxMs: 20 } }), {
      finalizer: new PaymentFinalizer(),
      reaper: new PaymentReaper(),
    });
    running.push({ runtime, store });
    return runtime;
  });
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await check.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS counted`, values);
  return rows[0]!.n;
}

async function allSucceeded(total: number): Promise<void> {
  await eventually(async () => (await count(`SELECT 1 FROM safecall.operations WHERE state = 'SUCCEEDED'`)) === total, 30_000);
}

it('shares the work of four workers without ever running an operation twice', async () => {
  const gateway = new FakeGateway();
  const claims: number[] = [];
  const workers = startWorkers(4, gateway, claims);
  const accepted = await Promise.all(Array.from({ length: 200 }, (_, i) => workers[i % 4]!.accept('payment', charge(`order-${i}`))));
  for (const worker of workers) worker.start();

  await allSucceeded(200);

  expect(gateway.calls).toHaveLength(200);
  expect(new Set(gateway.calls.map((call) => call.idempotencyKey))).toEqual(new Set(accepted.map((a) => idempotencyKeyOf(a.opId))));
  expect(await count(`SELECT op_id FROM payments WHERE state = 'SUCCEEDED' GROUP BY op_id HAVING count(*) = 1`)).toBe(200);
  expect(await count('SELECT 1 FROM payments')).toBe(200);
  expect(claims.reduce((a, b) => a + b)).toBe(200);
  expect(claims.filter((n) => n > 0).length).toBeGreaterThan(1);
});

it('lets every worker’s Reaper and Finalizer race over a dead worker’s leftovers without a double apply or reschedule', async () => {
  const gateway = new FakeGateway();
  const workers = startWorkers(4, gateway);
  const accepted = await Promise.all(Array.from({ length: 20 }, (_, i) => workers[0]!.accept('payment', charge(`order-${i}`))));

  // A worker claims everything, records an outcome for half of it, and dies before finalizing anything.
  const dead = new PostgresStore({ connectionString: url, logger: recordingLogger() });
  const claimed = await dead.claimDueOperations({
    now: Date.now(),
    limit: 20,
    leaseOwner: 'dead-worker',
    leaseMs: 1,
    orchestrators: ['payment'],
  });
  expect(claimed).toHaveLength(20);
  const [recorded, unrecorded] = [claimed.slice(0, 10), claimed.slice(10)];
  await dead.appendWal(
    recorded.map((op) => ({ opId: op.opId, attempt: 1, outcome: { kind: 'ok', attempt: 1, value: { txId: `dead-${op.opId}` } }, now: Date.now() })),
  );
  await dead.close();

  for (const worker of workers) worker.start();
  await allSucceeded(20);

  // Outcomes in the WAL are applied once, never executed again.
  for (const op of recorded) {
    expect(await workers[1]!.get(op.opId)).toMatchObject({ state: 'SUCCEEDED', attempt: 1, outcome: { value: { txId: `dead-${op.opId}` } } });
    expect(await count('SELECT 1 FROM payments WHERE op_id = $1', [op.opId])).toBe(1);
  }
  expect(gateway.calls.filter((call) => recorded.some((op) => idempotencyKeyOf(op.opId as OpId) === call.idempotencyKey))).toEqual([]);

  // Expired leases are rescheduled once (one retry for attempt 1), then succeed on attempt 2 with the same key.
  for (const op of unrecorded) {
    const key = idempotencyKeyOf(op.opId as OpId);
    expect(await workers[2]!.get(op.opId)).toMatchObject({ state: 'SUCCEEDED', attempt: 2 });
    const { rows } = await check.query<{ attempt: number; state: string }>(
      'SELECT attempt, state FROM payments WHERE op_id = $1 ORDER BY attempt',
      [op.opId],
    );
    expect(rows).toEqual([
      { attempt: 1, state: 'RETRY_SCHEDULED' },
      { attempt: 2, state: 'SUCCEEDED' },
    ]);
    expect(gateway.calls.filter((call) => call.idempotencyKey === key)).toEqual([{ orderId: expect.any(String), idempotencyKey: key, attempt: 2 }]);
  }
  expect(accepted).toHaveLength(20);
});

/** Counts the claims that found nothing due: after one, the worker loop goes idle until the next poll or wake-up. */
class ClaimCountingStore extends PostgresStore {
  emptyClaims = 0;

  override async claimDueOperations(request: Parameters<PostgresStore['claimDueOperations']>[0]) {
    const claimed = await super.claimDueOperations(request);
    if (claimed.length === 0) this.emptyClaims += 1;
    return claimed;
  }
}

it('wakes an idle worker through LISTEN/NOTIFY when another process accepts, long before its next poll', async () => {
  const gateway = new FakeGateway();
  const [producer] = startWorkers(1, gateway);
  const store = new ClaimCountingStore({ connectionString: url, poolSize: 4, logger: recordingLogger() });
  const consumer = new Runtime({ store, logger: silentLogger, workerId: 'consumer', pollIntervalMs: 60 * 60_000 });
  consumer.register(new PaymentOrchestrator(gateway), { finalizer: new PaymentFinalizer(), reaper: new PaymentReaper() });
  running.push({ runtime: consumer, store });
  consumer.start();
  await store.dueSubscriptionReady();
  // The consumer's first pass found nothing due; without a notification it would now sleep for an hour.
  await eventually(() => store.emptyClaims === 1);

  const { opId } = await producer!.accept('payment', charge('order-notified'));

  await eventually(async () => (await consumer.get(opId))?.state === 'SUCCEEDED', 10_000);
  expect(gateway.calls).toEqual([{ orderId: 'order-notified', idempotencyKey: idempotencyKeyOf(opId), attempt: 1 }]);
});
