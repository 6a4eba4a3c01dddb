import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresStore, Runtime, silentLogger } from '@safecall/runtime';
import { createTestDatabase } from '../setup/postgres.js';
import {
  CHARGE,
  ChargeOrchestrator,
  ChargeReaper,
  createPostgresCharges,
  PostgresChargeFinalizer,
  readPostgresCharges,
  type ChargeCommand,
} from './charge.js';
import { FakeProvider, type ProviderCall } from './fake-provider.js';
import { seededRandom, waitUntil, WorkerProcess, type WorkerExit } from './harness.js';
import { allOperations, allWal, exactlyOnceViolations } from './invariants.js';
import { toWorkerEnv } from './worker-env.js';

const WORKERS = 4;
const OPERATIONS = 2_000;
const KILLS = 8;
const SEED = 0x5afeca11;
const TIMEOUT_MS = 400;
// Each call takes this long at the provider: long enough that 2,000 operations outlast the kills.
const PROVIDER_LATENCY_MS = 40;

// Issue 3's crash test: four worker processes share one PostgreSQL database; random workers are
// SIGKILLed and restarted, and one is paused (SIGSTOP) in the middle of a call until its lease is long
// gone and another worker has finished its operation, then resumed (SIGCONT) with that stale attempt.
describe('four workers on one PostgreSQL database under SIGKILL and SIGSTOP', () => {
  let provider: FakeProvider;
  let store: PostgresStore;
  let runtime: Runtime<unknown>;
  let databaseUrl: string;
  const slots: WorkerProcess[] = [];
  const exits: WorkerExit[] = [];
  let pauseNextCall: ((call: ProviderCall) => void) | undefined;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase(inject('postgresUrl'), 'crash');
    provider = await FakeProvider.start({
      responseDelayMs: () => PROVIDER_LATENCY_MS,
      onCall: (call) => pauseNextCall?.(call),
    });
    store = new PostgresStore({ connectionString: databaseUrl, poolSize: 4, logger: silentLogger });
    await store.migrate();
    await createPostgresCharges(store.pool);
    const postgresRuntime = new Runtime({ store, logger: silentLogger });
    postgresRuntime.register(new ChargeOrchestrator({ providerUrl: provider.url, timeoutMs: TIMEOUT_MS }), {
      finalizer: new PostgresChargeFinalizer(),
      reaper: new ChargeReaper(),
    });
    runtime = postgresRuntime as Runtime<unknown>;
  });

  afterAll(async () => {
    for (const worker of slots) worker.signal('SIGCONT');
    await Promise.all(slots.map((worker) => worker.kill()));
    await store?.close();
    await provider?.close();
  });

  function startWorker(slot: number): WorkerProcess {
    const worker = WorkerProcess.spawn(
      `worker ${slot}`,
      toWorkerEnv({ store: 'postgres', db: databaseUrl, providerUrl: provider.url, timeoutMs: TIMEOUT_MS, concurrency: 8 }),
    );
    slots[slot] = worker;
    return worker;
  }

  async function acceptOrders(): Promise<string[]> {
    const opIds: string[] = [];
    for (let start = 1; start <= OPERATIONS; start += 100) {
      const batch = Array.from({ length: Math.min(100, OPERATIONS - start + 1) }, (_, i) => {
        const n = start + i;
        const order: ChargeCommand = { idemKey: `order-${n}`, orderId: `order-${n}`, amount: n };
        return runtime.accept(CHARGE, order);
      });
      opIds.push(...(await Promise.all(batch)).map((accepted) => accepted.opId));
    }
    return opIds;
  }

  const allTerminal = async () => ((await store.nextWakeAt({ orchestrators: [CHARGE] })) === null ? true : undefined);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** SIGKILLs the worker in `slot`, waits for it to die, and starts a fresh one in its place. */
  async function killAndRestart(slot: number): Promise<void> {
    exits.push(await slots[slot]!.kill());
    await startWorker(slot).waitForEvent((e) => e.event === 'ready', 20_000);
  }

  /**
   * Pauses the worker that makes the next call, right when the provider has acted on it; waits until
   * another worker has taken the operation over and finished it, then resumes the paused one.
   */
  async function pauseOneWorkerPastItsLease(): Promise<{ paused: ProviderCall; worker: WorkerProcess; resumedAt: number }> {
    const paused = await new Promise<ProviderCall>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no worker made a call to pause within 10 s')), 10_000);
      pauseNextCall = (call) => {
        const worker = slots.find((w) => w.pid === call.workerPid && w.alive);
        if (!worker) return;
        pauseNextCall = undefined;
        worker.signal('SIGSTOP');
        clearTimeout(timer);
        resolve(call);
      };
    });
    const worker = slots.find((w) => w.pid === paused.workerPid)!;
    await waitUntil(
      `another worker to finish ${paused.opId} while worker ${paused.workerPid} is paused in attempt ${paused.attempt}`,
      async () => {
        const op = await runtime.get(paused.opId);
        return op?.state === 'SUCCEEDED' && op.attempt > paused.attempt ? op : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const resumedAt = worker.events.length;
    worker.signal('SIGCONT');
    return { paused, worker, resumedAt };
  }

  it('ends every operation succeeded with one effect per key and no stale attempt applied', { timeout: 150_000 }, async () => {
    const accepted = await acceptOrders();
    const random = seededRandom(SEED);
    for (let slot = 0; slot < WORKERS; slot += 1) startWorker(slot);
    await Promise.all(slots.map((worker) => worker.waitForEvent((e) => e.event === 'ready', 30_000)));

    // The kills first, at seeded victims, while most operations are still ahead.
    const victims: number[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      const victim = Math.floor(random() * WORKERS);
      victims.push(victim);
      await sleep(200 + Math.floor(random() * 300));
      await killAndRestart(victim);
    }
    const unfinishedAfterKills = (await allTerminal()) === undefined;
    // Then the zombie: its operation is retried behind the backlog due before it, so this waits the longest.
    const zombie = await pauseOneWorkerPastItsLease();

    await waitUntil('every operation to be terminal', allTerminal, { timeoutMs: 90_000, intervalMs: 250 });
    const stops = await Promise.all(slots.map((worker) => worker.stop()));

    // The chaos happened as planned: work was still in flight through every kill.
    expect(unfinishedAfterKills).toBe(true);
    expect(exits).toEqual(victims.map(() => ({ code: null, signal: 'SIGKILL' })));
    expect(stops, slots.map((w) => w.describe()).join('\n')).toEqual(slots.map(() => ({ code: 0, signal: null })));

    // The zombie came back and tried to record its stale attempt; the runtime kept the newer one.
    const afterResume = zombie.worker.events.slice(zombie.resumedAt);
    const zombieSpoke = afterResume.some((e) => e.opId === zombie.paused.opId || e.detail?.includes(zombie.paused.opId));
    expect(zombieSpoke, zombie.worker.describe()).toBe(true);
    const zombieOp = await runtime.get(zombie.paused.opId);
    expect(zombieOp!.attempt).toBeGreaterThan(zombie.paused.attempt);
    const zombieWal = await store.listWal(zombie.paused.opId);
    // Attempt n's slot holds the reaper's uncertain retry; the zombie's late answer was not appended over it.
    expect(zombieWal.find((entry) => entry.attempt === zombie.paused.attempt)).toMatchObject({
      state: 'COMPLETED',
      outcome: { kind: 'retry', uncertain: true },
    });

    const operations = await allOperations(store);
    const charges = await readPostgresCharges(store.pool);
    const wal = await allWal(store, accepted);
    expect(exactlyOnceViolations({ accepted, operations, wal, charges, provider })).toEqual([]);
    expect(provider.keysSeen().size).toBe(OPERATIONS);
    // Crashes cost attempts and replays, and none of them cost a second effect.
    expect(operations.filter((op) => op.attempt > 1).length).toBeGreaterThan(0);
    expect(provider.calls.filter((call) => !call.effect).length).toBeGreaterThan(0);
  });
});
