/**
 * PostgreSQL restarting, failing over or cutting a connection is routine for a long-running worker:
 * the store waits and tries again (with a fresh pooled connection) instead of failing the operation.
 * Every statement the store sends is safe to repeat (fenced, or idempotent under a unique key).
 */

// SQLSTATE classes and codes that mean "the connection or the server went away", or a conflict that a
// second try resolves — not a bug in the statement.
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN']);

// node-postgres reports a dropped socket with plain Errors that carry only a message.
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'terminating connection',
];

export function isTransientPostgresError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_SOCKET_CODES.has(code)) return true;
  }
  if (error instanceof AggregateError && error.errors.some(isTransientPostgresError)) return true;
  return TRANSIENT_MESSAGES.some((message) => error.message.includes(message));
}

export interface RetryPolicy {
  /** Give up (and throw the last error) once this long has passed since the first failure. */
  readonly retryForMs: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Called for every transient failure before waiting, to reach logs and metrics. */
  readonly onTransientError: (error: unknown, attempt: number) => void;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): spreads the retries of many workers after a restart (equal jitter). */
  readonly random: () => number;
  /** Monotonic milliseconds, for the give-up deadline. */
  readonly elapsed: () => number;
}

/** Runs `work` until it succeeds, retrying transient PostgreSQL errors with capped, jittered exponential delays. */
export async function retryTransient<T>(work: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const startedAt = policy.elapsed();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientPostgresError(error)) throw error;
      policy.onTransientError(error, attempt);
      const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
      const delay = ceiling / 2 + (policy.random() * ceiling) / 2;
      if (policy.elapsed() - startedAt + delay > policy.retryForMs) throw error;
      await policy.sleep(delay);
    }
  }
}
