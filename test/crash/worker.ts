// A crash-test worker: runs the runtime's worker loop on the store named by CRASH_STORE / CRASH_DB
// against the fake provider at CRASH_PROVIDER_URL, prints each lifecycle phase as a JSON line, and —
// when CRASH_AT names a phase — SIGKILLs itself the first time it reaches that phase.
import { writeSync } from 'node:fs';
import { PostgresStore, Runtime, SqliteStore, silentLogger, type LifecycleObserver, type Logger, type Store } from '@safecall/runtime';
import { ChargeOrchestrator, ChargeReaper, PostgresChargeFinalizer, SqliteChargeFinalizer } from './charge.js';
import { workerEnv, type CrashPhase, type WorkerSettings } from './worker-env.js';

const settings = workerEnv(process.env);

function emit(event: string, fields: Record<string, unknown> = {}): void {
  // writeSync: the line must be out before a SIGKILL that may follow in the same tick.
  writeSync(1, `${JSON.stringify({ event, pid: process.pid, ...fields })}\n`);
}

let crashed = false;
function crashIfAt(phase: CrashPhase, opId: string, attempt: number): void {
  if (settings.crashAt !== phase || crashed) return;
  crashed = true;
  emit('crashing', { opId, attempt, detail: phase });
  process.kill(process.pid, 'SIGKILL');
}

const observer: LifecycleObserver = {
  claimed: (e) => emit('claimed', { opId: e.opId, attempt: e.attempt }),
  executing: (e) => {
    emit('executing', { opId: e.opId, attempt: e.attempt, detail: e.idempotencyKey });
    crashIfAt('before-call', e.opId, e.attempt);
  },
  walAppended: (e) => {
    emit('walAppended', { opId: e.opId, attempt: e.attempt, detail: e.outcome.kind });
    crashIfAt('after-wal', e.opId, e.attempt);
  },
  finalizing: (e) => crashIfAt('during-finalize', e.opId, e.attempt),
  finalized: (e) => emit('finalized', { opId: e.opId, attempt: e.attempt, detail: `${e.status} ${e.state}` }),
  reaped: (e) => emit('reaped', { opId: e.opId, attempt: e.attempt, detail: e.outcome.kind }),
};

const logger: Logger = {
  ...silentLogger,
  warn: (message, fields) => emit('log', { detail: `warn: ${message} ${safeJson(fields)}` }),
  error: (message, fields) => emit('log', { detail: `error: ${message} ${safeJson(fields)}` }),
};

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v)) ?? '';
  } catch {
    return String(value);
  }
}

const orchestrator = new ChargeOrchestrator({
  providerUrl: settings.providerUrl,
  timeoutMs: settings.timeoutMs,
  onProviderActed: (opId, attempt) => crashIfAt('during-call', opId, attempt),
});

const runtimeOptions = {
  logger,
  observer,
  workerId: `crash-worker-${process.pid}`,
  concurrency: settings.concurrency,
  pollIntervalMs: settings.pollIntervalMs,
  leaseMarginMs: settings.leaseMarginMs,
  walRecoveryDelayMs: settings.walRecoveryDelayMs,
};

const { runtime, store } = openRuntime(settings);

/** The runtime on the store the settings name, with the charge orchestrator and its recovery registered. */
function openRuntime(worker: WorkerSettings): { runtime: Runtime<unknown>; store: Store<unknown> } {
  if (worker.store === 'sqlite') {
    const sqlite = new SqliteStore(worker.db);
    const sqliteRuntime = new Runtime({ ...runtimeOptions, store: sqlite });
    sqliteRuntime.register(orchestrator, { finalizer: new SqliteChargeFinalizer(), reaper: new ChargeReaper() });
    return { runtime: sqliteRuntime as Runtime<unknown>, store: sqlite as Store<unknown> };
  }
  const postgres = new PostgresStore({ connectionString: worker.db, poolSize: worker.concurrency + 2, logger });
  const postgresRuntime = new Runtime({ ...runtimeOptions, store: postgres });
  postgresRuntime.register(orchestrator, { finalizer: new PostgresChargeFinalizer(), reaper: new ChargeReaper() });
  return { runtime: postgresRuntime as Runtime<unknown>, store: postgres as Store<unknown> };
}

process.once('SIGTERM', () => {
  void (async () => {
    await runtime.stop({ graceMs: 2_000 });
    await store.close();
    emit('stopped');
    process.exit(0);
  })();
});

runtime.start();
emit('ready', { detail: settings.crashAt ? `crash at ${settings.crashAt}` : 'no crash' });
