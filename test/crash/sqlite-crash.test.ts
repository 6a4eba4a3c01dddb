import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runtime, SqliteStore, silentLogger, type OperationRow } from '@safecall/runtime';
import { CHARGE, ChargeOrchestrator, type ChargeCommand, ChargeReaper, createSqliteCharges, readSqliteCharges, SqliteChargeFinalizer } from './charge.js';
import { FakeProvider } from './fake-provider.js';
import { WorkerProcess, waitUntil, type WorkerEvent } from './harness.js';
import { allOperations, allWal, exactlyOnceViolations } from './invariants.js';
import { toWorkerEnv, type CrashPhase } from './worker-env.js';

const OPERATIONS = 6;
// Long enough that a worker starved of CPU (the full suite on two cores) still hears the provider's
// answer before its own timeout: a timed-out call would record a Retry where these tests expect an Ok.
// The lease (2 × this + 200 ms) bounds how long a recovery waits.
const TIMEOUT_MS = 2_000;
// Bounds for events that take a second or two alone; generous because the suite shares two cores.
const EVENT_TIMEOUT_MS = 45_000;

// Issue 2's crash test: one worker process on a SQLite file, SIGKILLed by itself at an exact phase of one
// attempt, then restarted; the fake provider runs here, outside the worker, so it remembers every call.
describe('a worker SIGKILLed at each phase of an attempt, then restarted, on SQLite', { timeout: 120_000 }, () => {
  let dir: string;
  let provider: FakeProvider;
  let store: SqliteStore;
  let runtime: Runtime<unknown>;
  const workers: WorkerProcess[] = [];

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'safecall-crash-'));
    // The answer comes 50 ms after the provider acts: the window a crash "during the call" falls into.
    provider = await FakeProvider.start({ responseDelayMs: () => 50 });
    store = new SqliteStore(path.join(dir, 'crash.db'));
    createSqliteCharges(store.db);
    const sqliteRuntime = new Runtime({ store, logger: silentLogger });
    sqliteRuntime.register(new ChargeOrchestrator({ providerUrl: provider.url, timeoutMs: TIMEOUT_MS }), {
      finalizer: new SqliteChargeFinalizer(),
      reaper: new ChargeReaper(),
    });
    runtime = sqliteRuntime as Runtime<unknown>;
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    await store.close();
    await provider.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function spawnWorker(name: string, crashAt?: CrashPhase): WorkerProcess {
    const worker = WorkerProcess.spawn(
      name,
      toWorkerEnv({ store: 'sqlite', db: path.join(dir, 'crash.db'), providerUrl: provider.url, crashAt, timeoutMs: TIMEOUT_MS }),
    );
    workers.push(worker);
    return worker;
  }

  async function acceptOrders(): Promise<string[]> {
    const opIds: string[] = [];
    for (let i = 1; i <= OPERATIONS; i += 1) {
      const order: ChargeCommand = { idemKey: `order-${i}`, orderId: `order-${i}`, amount: 100 * i };
      const { opId } = await runtime.accept(CHARGE, order);
      opIds.push(opId);
    }
    return opIds;
  }

  /** Runs a worker that kills itself at `phase`; returns the attempt it died in and the state it left. */
  async function crashAt(phase: CrashPhase): Promise<{ crash: WorkerEvent; left: OperationRow }> {
    const worker = spawnWorker(`worker crashing ${phase}`, phase);
    const crash = await worker.waitForEvent((e) => e.event === 'crashing', EVENT_TIMEOUT_MS);
    const exit = await worker.exited;
    expect(exit, worker.describe()).toEqual({ code: null, signal: 'SIGKILL' });
    const left = await runtime.get(crash.opId!);
    return { crash, left: left! };
  }

  /** Restarts a worker without a crash point and waits until every operation is terminal. */
  async function recover(): Promise<void> {
    const worker = spawnWorker('restarted worker');
    await waitUntil(
      'every operation to be terminal',
      async () => {
        if (!worker.alive) throw new Error(`the restarted worker died\n${worker.describe()}`);
        const ops = await allOperations(store);
        return ops.every((op) => op.state === 'SUCCEEDED' || op.state === 'FAILED') ? ops : undefined;
      },
      { timeoutMs: EVENT_TIMEOUT_MS },
    );
    expect(await worker.stop(), worker.describe()).toEqual({ code: 0, signal: null });
  }

  async function expectExactlyOnce(accepted: readonly string[]): Promise<void> {
    const operations = await allOperations(store);
    const run = { accepted, operations, wal: await allWal(store, accepted), charges: readSqliteCharges(store.db), provider };
    expect(exactlyOnceViolations(run)).toEqual([]);
    expect(provider.keysSeen().size).toBe(OPERATIONS);
  }

  const callsFor = (opId: string) => provider.calls.filter((call) => call.opId === opId);

  it('sends nothing for an attempt killed before the call, and executes it again with the same key', async () => {
    const accepted = await acceptOrders();
    const { crash, left } = await crashAt('before-call');
    expect(left).toMatchObject({ state: 'IN_PROGRESS', attempt: 1 });
    expect(callsFor(crash.opId!)).toEqual([]);

    await recover();

    await expectExactlyOnce(accepted);
    const op = await runtime.get(crash.opId!);
    expect(op!.attempt).toBeGreaterThan(1);
    expect(callsFor(crash.opId!).every((call) => call.attempt > 1)).toBe(true);
  });

  it('replays the provider\'s first answer for an attempt killed during the call, without a second charge', async () => {
    const accepted = await acceptOrders();
    const { crash, left } = await crashAt('during-call');
    expect(left).toMatchObject({ state: 'IN_PROGRESS', attempt: 1 });
    expect(await store.listWal(crash.opId!)).toEqual([]);
    expect(callsFor(crash.opId!).map((call) => [call.attempt, call.effect])).toEqual([[1, true]]);

    await recover();

    await expectExactlyOnce(accepted);
    const calls = callsFor(crash.opId!);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.slice(1).every((call) => !call.effect)).toBe(true);
  });

  it('applies the WAL entry an attempt killed after the append left behind, without calling again', async () => {
    const accepted = await acceptOrders();
    const { crash, left } = await crashAt('after-wal');
    expect(left).toMatchObject({ state: 'IN_PROGRESS', attempt: 1 });
    expect(await store.listWal(crash.opId!)).toMatchObject([{ attempt: 1, state: 'PENDING', outcome: { kind: 'ok' } }]);

    await recover();

    await expectExactlyOnce(accepted);
    expect(await runtime.get(crash.opId!)).toMatchObject({ state: 'SUCCEEDED', attempt: 1 });
    expect(callsFor(crash.opId!)).toHaveLength(1);
  });

  it('rolls back a finalize killed inside its transaction and applies the entry once on restart', async () => {
    const accepted = await acceptOrders();
    const { crash, left } = await crashAt('during-finalize');
    expect(left).toMatchObject({ state: 'IN_PROGRESS', attempt: 1, outcome: null });
    expect(await store.listWal(crash.opId!)).toMatchObject([{ attempt: 1, state: 'PENDING' }]);
    expect(readSqliteCharges(store.db).filter((charge) => charge.opId === crash.opId)).toEqual([]);

    await recover();

    await expectExactlyOnce(accepted);
    expect(await runtime.get(crash.opId!)).toMatchObject({ state: 'SUCCEEDED', attempt: 1 });
    expect(callsFor(crash.opId!)).toHaveLength(1);
  });
});
