/** Where a worker may SIGKILL itself: before the call, while the provider's answer is on the way, after the WAL append, inside the finalize transaction. */
export const crashPhases = ['before-call', 'during-call', 'after-wal', 'during-finalize'] as const;
export type CrashPhase = (typeof crashPhases)[number];

export interface WorkerSettings {
  readonly store: 'sqlite' | 'postgres';
  /** A SQLite file path or a PostgreSQL connection URL. */
  readonly db: string;
  readonly providerUrl: string;
  readonly crashAt: CrashPhase | undefined;
  readonly timeoutMs: number;
  readonly leaseMarginMs: number;
  readonly pollIntervalMs: number;
  readonly walRecoveryDelayMs: number;
  readonly concurrency: number;
}

// Short timings so that a lost lease is reaped in about a second and the tests stay fast.
const DEFAULT_TIMINGS = {
  timeoutMs: 400,
  leaseMarginMs: 200,
  pollIntervalMs: 25,
  walRecoveryDelayMs: 300,
  concurrency: 4,
} as const;

/** The environment a worker process is started with. */
export function toWorkerEnv(settings: Partial<WorkerSettings> & Pick<WorkerSettings, 'store' | 'db' | 'providerUrl'>): Record<string, string> {
  const all = { ...DEFAULT_TIMINGS, ...settings };
  return {
    CRASH_STORE: all.store,
    CRASH_DB: all.db,
    CRASH_PROVIDER_URL: all.providerUrl,
    CRASH_AT: all.crashAt ?? '',
    CRASH_TIMEOUT_MS: String(all.timeoutMs),
    CRASH_LEASE_MARGIN_MS: String(all.leaseMarginMs),
    CRASH_POLL_INTERVAL_MS: String(all.pollIntervalMs),
    CRASH_WAL_RECOVERY_DELAY_MS: String(all.walRecoveryDelayMs),
    CRASH_CONCURRENCY: String(all.concurrency),
  };
}

/** Reads the settings back in the worker; a missing or malformed variable stops it with a precise message. */
export function workerEnv(env: NodeJS.ProcessEnv): WorkerSettings {
  const store = required(env, 'CRASH_STORE');
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`CRASH_STORE must be sqlite or postgres, got ${store}`);
  const crashAt = env.CRASH_AT || undefined;
  if (crashAt !== undefined && !crashPhases.includes(crashAt as CrashPhase)) {
    throw new Error(`CRASH_AT must be one of ${crashPhases.join(', ')}, got ${crashAt}`);
  }
  return {
    store,
    db: required(env, 'CRASH_DB'),
    providerUrl: required(env, 'CRASH_PROVIDER_URL'),
    crashAt: crashAt as CrashPhase | undefined,
    timeoutMs: positiveInteger(env, 'CRASH_TIMEOUT_MS'),
    leaseMarginMs: positiveInteger(env, 'CRASH_LEASE_MARGIN_MS'),
    pollIntervalMs: positiveInteger(env, 'CRASH_POLL_INTERVAL_MS'),
    walRecoveryDelayMs: positiveInteger(env, 'CRASH_WAL_RECOVERY_DELAY_MS'),
    concurrency: positiveInteger(env, 'CRASH_CONCURRENCY'),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set; start workers through WorkerProcess.spawn(name, toWorkerEnv(...))`);
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number {
  const value = Number(required(env, name));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${env[name]}`);
  return value;
}
