import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresStore, Runtime, seededRandom, silentLogger } from '@safecall/runtime';
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
import { waitUntil, WorkerProcess, type WorkerExit } from './harness.js';
import { allOperations, allWal, exactlyOnceViolations } from './invariants.js';
import { toWorkerEnv } from './worker-env.js';

const WORKERS = 4;
const OPERATIONS = 2_000;
const KILLS = 8;
// Operations arrive in waves: one per kill, one for the pause, and one that keeps the other workers busy
// while the zombie is paused. Each chaos step is triggered by a call of its own wave, so there is always
// work in flight when it strikes, however fast or slow the machine is.
const WAVES = KILLS + 2;
const WAVE_SIZE = OPERATIONS / WAVES;
const SEED = 0x5afeca11;
const TIMEOUT_MS = 400;
// Each call takes this long at the provider, so a worker is killed or paused with its answer on the way.
const PROVIDER_LATENCY_MS = 40;
// A call whose attempt began less than this long ago cannot have timed out in its worker yet.
const FRESH_CALL_MS = TIMEOUT_MS / 2;
// A worker stopped inside a finalize transaction holds row locks that every other worker's reaper would
// queue behind; the server ends such a session after this long (the setting docs/postgres.md recommends).
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 1_000;
// Generous bounds for events that take well under a second alone: the full suite shares two cores.
const EVENT_TIMEOUT_MS = 30_000;

/** A call the test acted on (SIGKILL or SIGSTOP) while the provider held its answer, and the worker that made it. */
interface TrappedCall {
  readonly call: ProviderCall;
  readonly worker: WorkerProcess;
  readonly slot: number;
}

// Issue 3's crash test: four worker processes share one PostgreSQL database; workers caught in the middle
// of a call are SIGKILLed and restarted, and one is paused (SIGSTOP) in the middle of a call until its
// lease is long gone and another worker has finished its operation, then resumed (SIGCONT) with that
// stale attempt.
describe('four workers on one PostgreSQL database under SIGKILL and SIGSTOP', () => {
  let provider: FakeProvider;
  let store: PostgresStore;
  let runtime: Runtime<unknown>;
  let databaseUrl: string;
  const slots: WorkerProcess[] = [];
  const exits: WorkerExit[] = [];
  let trap: ((call: ProviderCall) => void) | undefined;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase(inject('postgresUrl'), 'crash');
    await setIdleInTransactionTimeout(databaseUrl, IDLE_IN_TRANSACTION_TIMEOUT_MS);
    provider = await FakeProvider.start({
      responseDelayMs: () => PROVIDER_LATENCY_MS,
      onCall: (call) => trap?.(call),
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
    trap = undefined;
    for (const worker of slots) worker.signal('SIGCONT');
    await Promise.all(slots.map((worker) => worker.kill()));
    await store?.close();
    await provider?.close();
  });

  function startWorker(slot: number): WorkerProcess {
    const worker = WorkerProcess.spawn(
      `worker ${slot}`,
      // Accepts wake the workers through LISTEN/NOTIFY; the poll paces retries, reaping and WAL recovery.
      toWorkerEnv({ store: 'postgres', db: databaseUrl, providerUrl: provider.url, timeoutMs: TIMEOUT_MS, concurrency: 8, pollIntervalMs: 100 }),
    );
    slots[slot] = worker;
    return worker;
  }

  const ready = (worker: WorkerProcess) => worker.waitForEvent((e) => e.event === 'ready', EVENT_TIMEOUT_MS);

  async function acceptWave(wave: number): Promise<string[]> {
    const orders = Array.from({ length: WAVE_SIZE }, (_, i): ChargeCommand => {
      const n = wave * WAVE_SIZE + i + 1;
      return { idemKey: `order-${n}`, orderId: `order-${n}`, amount: n };
    });
    const accepted = await Promise.all(orders.map((order) => runtime.accept(CHARGE, order)));
    return accepted.map(({ opId }) => opId);
  }

  /**
   * Arms the provider to `act` on the `nth` call (from now) of a live worker that `matches`, synchronously
   * when the call arrives: the provider has acted and its answer has not left yet.
   */
  function trapCall(what: string, nth: number, act: (worker: WorkerProcess) => void, matches = (_call: ProviderCall) => true): Promise<TrappedCall> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const timer = setTimeout(() => {
        trap = undefined;
        reject(new Error(`no call to ${what} within ${EVENT_TIMEOUT_MS} ms (${seen} of ${nth} seen)\n${slots.map((w) => w.describe()).join('\n')}`));
      }, EVENT_TIMEOUT_MS);
      trap = (call) => {
        const slot = slots.findIndex((w) => w.pid === call.workerPid && w.alive);
        if (slot < 0 || !matches(call) || ++seen < nth) return;
        trap = undefined;
        clearTimeout(timer);
        const worker = slots[slot]!;
        act(worker);
        resolve({ call, worker, slot });
      };
    });
  }

  const allTerminal = async () => ((await store.nextWakeAt({ orchestrators: [CHARGE] })) === null ? true : undefined);

  it('ends every operation succeeded with one effect per key and no stale attempt applied', { timeout: 240_000 }, async () => {
    const random = seededRandom(SEED);
    // Seeded: which call of its wave each chaos step strikes at (in the first half, so the wave outlasts it).
    const nthCall = () => 1 + Math.floor(random() * (WAVE_SIZE / 2));
    for (let slot = 0; slot < WORKERS; slot += 1) startWorker(slot);
    await Promise.all(slots.map(ready));

    // The kills: each wave's nth call dies with its worker before the answer arrives. The replacement
    // boots while the next wave is accepted; a step ends only once it is running, which keeps the backlog
    // near one wave (so the zombie's retry below does not queue behind thousands).
    const accepted: string[] = [];
    const kills: TrappedCall[] = [];
    let restarting: Promise<unknown> = Promise.resolve();
    for (let kill = 0; kill < KILLS; kill += 1) {
      const killed = trapCall(`kill in wave ${kill}`, nthCall(), (worker) => worker.signal('SIGKILL'));
      const [opIds, victim] = await Promise.all([acceptWave(kill), killed, restarting]);
      accepted.push(...opIds);
      kills.push(victim);
      exits.push(await victim.worker.exited);
      restarting = ready(startWorker(victim.slot));
    }
    await restarting;

    // The zombie: a worker paused in the middle of a fresh call (so its own timeout cannot have fired),
    // while the last wave keeps the others busy; resumed once another worker has finished its operation.
    const paused = trapCall('pause in wave ' + KILLS, nthCall(), (worker) => worker.signal('SIGSTOP'), isFresh);
    accepted.push(...(await acceptWave(KILLS)));
    const zombie = await paused;
    accepted.push(...(await acceptWave(KILLS + 1)));
    await waitUntil(
      `another worker to finish ${zombie.call.opId} while worker ${zombie.call.workerPid} is paused in attempt ${zombie.call.attempt}`,
      async () => {
        const op = await runtime.get(zombie.call.opId);
        return op?.state === 'SUCCEEDED' && op.attempt > zombie.call.attempt ? op : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    const resumedAt = zombie.worker.events.length;
    zombie.worker.signal('SIGCONT');

    await waitUntil('every operation to be terminal', allTerminal, { timeoutMs: 90_000, intervalMs: 250 });
    const stops = await Promise.all(slots.map((worker) => worker.stop()));

    expect(accepted).toHaveLength(OPERATIONS);
    expect(exits).toEqual(kills.map(() => ({ code: null, signal: 'SIGKILL' })));
    expect(stops, slots.map((w) => w.describe()).join('\n')).toEqual(slots.map(() => ({ code: 0, signal: null })));

    // Every kill struck an attempt in flight: that attempt was lost and a later one finished the operation.
    for (const { call } of kills) {
      expect((await runtime.get(call.opId))!.attempt, `killed in attempt ${call.attempt} of ${call.opId}`).toBeGreaterThan(call.attempt);
    }

    // The zombie came back and tried to record its stale attempt; the runtime kept the newer one.
    const afterResume = zombie.worker.events.slice(resumedAt);
    const zombieSpoke = afterResume.some((e) => e.opId === zombie.call.opId || e.detail?.includes(zombie.call.opId));
    expect(zombieSpoke, zombie.worker.describe()).toBe(true);
    const zombieOp = await runtime.get(zombie.call.opId);
    expect(zombieOp!.attempt).toBeGreaterThan(zombie.call.attempt);
    const zombieWal = await store.listWal(zombie.call.opId);
    // Attempt n's slot holds the reaper's uncertain retry; the zombie's late answer was not appended over it.
    expect(zombieWal.find((entry) => entry.attempt === zombie.call.attempt)).toMatchObject({
      state: 'COMPLETED',
      outcome: { kind: 'retry', uncertain: true, reason: expect.stringContaining(`lease of crash-worker-${zombie.call.workerPid} expired`) },
    });

    const operations = await allOperations(store);
    const charges = await readPostgresCharges(store.pool);
    const wal = await allWal(store, accepted);
    expect(exactlyOnceViolations({ accepted, operations, wal, charges, provider })).toEqual([]);
    expect(provider.keysSeen().size).toBe(OPERATIONS);
    // Crashes cost attempts and replays, and none of them cost a second effect.
    expect(provider.calls.filter((call) => !call.effect).length).toBeGreaterThan(0);
  });
});

function isFresh(call: ProviderCall): boolean {
  return Date.now() - call.attemptStartedAt < FRESH_CALL_MS;
}

/** Makes the server end a session left idle inside a transaction (a paused worker's), releasing its locks. */
async function setIdleInTransactionTimeout(databaseUrl: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const database = client.escapeIdentifier(decodeURIComponent(new URL(databaseUrl).pathname.slice(1)));
    await client.query(`ALTER DATABASE ${database} SET idle_in_transaction_session_timeout = ${Number(timeoutMs)}`);
  } finally {
    await client.end();
  }
}
