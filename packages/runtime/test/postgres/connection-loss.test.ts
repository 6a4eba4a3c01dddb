// PostgreSQL restarts under running workers: they wait, reconnect and carry on; nothing is lost.
// This file starts its own server, because it stops it mid-test.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../../test/setup/postgres.js';
import {
  Finalizer,
  Orchestrator,
  Outcome,
  Reaper,
  Runtime,
  silentLogger,
  type Command,
  type ExecutionContext,
  type FinalizeRecord,
  type OpId,
} from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { eventually, recordingLogger, recordingMeter } from './helpers.js';

interface ShipCommand extends Command {
  readonly parcel: string;
}

/** Stands in for a provider that honours idempotency keys: a repeated key has no second effect. */
class FakeCarrier {
  readonly calls: string[] = [];
  readonly shipments = new Map<string, string>();

  async ship(parcel: string, idempotencyKey: string): Promise<string> {
    this.calls.push(idempotencyKey);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!this.shipments.has(idempotencyKey)) this.shipments.set(idempotencyKey, parcel);
    return `label-${parcel}`;
  }
}

class ShippingOrchestrator extends Orchestrator<ShipCommand, { label: string }> {
  constructor(private readonly carrier: FakeCarrier) {
    super({ name: 'shipping', timeoutMs: 1_000 });
  }

  protected async executeInternal(_opId: OpId, cmd: ShipCommand, ctx: ExecutionContext) {
    const label = await this.carrier.ship(cmd.parcel, ctx.idempotencyKey);
    return Outcome.ok({ label });
  }
}

class ShippingFinalizer extends Finalizer<ShippingOrchestrator, pg.PoolClient> {
  async finalize(tx: pg.PoolClient, record: FinalizeRecord<ShipCommand, { label: string }>): Promise<void> {
    if (record.outcome.kind !== 'ok') return;
    await tx.query('INSERT INTO shipments (op_id, label) VALUES ($1, $2)', [record.opId, record.outcome.value.label]);
  }
}

class ShippingReaper extends Reaper<ShippingOrchestrator> {}

let server: PostgresServer;
let url: string;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('restart');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE TABLE shipments (op_id text PRIMARY KEY, label text NOT NULL)');
  await client.end();
});

afterAll(async () => {
  await server?.stop();
});

it('finishes every operation exactly once when PostgreSQL restarts mid-run, and reports the lost connections', async () => {
  const logger = recordingLogger();
  const meter = recordingMeter();
  const store = new PostgresStore({ connectionString: url, logger, meter, reconnectDelayMs: 50 });
  const carrier = new FakeCarrier();
  const runtime = new Runtime({
    store,
    logger: silentLogger,
    concurrency: 8,
    pollIntervalMs: 50,
    leaseMarginMs: 1_000,
    walRecoveryDelayMs: 500,
  });
  runtime.register(new ShippingOrchestrator(carrier), { finalizer: new ShippingFinalizer(), reaper: new ShippingReaper() });
  const woken: (string | null)[] = [];
  store.subscribeDue((orchestrator) => woken.push(orchestrator));
  await store.dueSubscriptionReady();

  const before = await Promise.all(Array.from({ length: 60 }, (_, i) => runtime.accept('shipping', { idemKey: `a-${i}`, parcel: `A${i}` })));
  runtime.start();
  await eventually(() => carrier.shipments.size >= 10);

  // While the server is down, accepts wait for it instead of failing.
  let during: Promise<unknown[]> = Promise.resolve([]);
  await server.restart(async () => {
    during = Promise.all(Array.from({ length: 40 }, (_, i) => runtime.accept('shipping', { idemKey: `b-${i}`, parcel: `B${i}` })));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  });
  const accepted = [...before, ...((await during) as typeof before)];

  const check = new pg.Client({ connectionString: url });
  await check.connect();
  try {
    await eventually(async () => {
      const { rows } = await check.query<{ n: number }>(`SELECT count(*)::int AS n FROM safecall.operations WHERE state = 'SUCCEEDED'`);
      return rows[0]!.n === 100;
    }, 30_000);
    await runtime.stop();

    expect(new Set(accepted.map((a) => a.opId)).size).toBe(100);
    expect(carrier.shipments.size).toBe(100);
    const { rows: shipments } = await check.query<{ n: number }>('SELECT count(DISTINCT op_id)::int AS n FROM shipments');
    expect(shipments[0]!.n).toBe(100);
    const { rows: pending } = await check.query<{ n: number }>(`SELECT count(*)::int AS n FROM safecall.wal WHERE state = 'PENDING'`);
    expect(pending[0]!.n).toBe(0);
  } finally {
    await check.end();
  }

  expect(meter.total('safecall.store.connection_errors')).toBeGreaterThan(0);
  expect(logger.records.some((r) => r.level === 'warn' && r.message.startsWith('PostgreSQL connection problem'))).toBe(true);
  // The LISTEN connection came back too: a catch-up wake-up after the restart, then notifications again.
  expect(woken).toContain(null);
  woken.length = 0;
  await store.insertOperation({
    opId: 'after-restart',
    orchestrator: 'shipping',
    scope: '',
    idemKey: 'c-0',
    payload: '{"idemKey":"c-0","parcel":"C0"}',
    payloadHash: 'not-checked-here',
    now: Date.now(),
  });
  await eventually(() => woken.includes('shipping'));
  await store.close();
}, 60_000);
