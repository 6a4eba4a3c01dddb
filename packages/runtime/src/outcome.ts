/** The call succeeded; `value` is what the Finalizer records. */
export interface Ok<T> {
  readonly kind: 'ok';
  readonly value: T;
}

/**
 * The call did not complete but may succeed later. The runtime schedules the next attempt
 * (exponential backoff with jitter unless `afterMs` is given) and gives up after `maxAttempts`.
 * `uncertain` means the request may have reached the provider: before the next attempt the
 * Reaper's `reconcile` hook is asked what happened.
 */
export interface Retry {
  readonly kind: 'retry';
  readonly reason: string;
  readonly afterMs?: number;
  readonly uncertain?: boolean;
}

/** The call failed for good (declined card, invalid address): no further attempts. */
export interface Fail {
  readonly kind: 'fail';
  readonly code: string;
  readonly message: string;
  readonly cause?: unknown;
}

/** The closed union every `executeInternal` returns. */
export type Outcome<T> = Ok<T> | Retry | Fail;

export interface OutcomeHandlers<T, U> {
  readonly ok: (ok: Ok<T>) => U;
  readonly retry: (retry: Retry) => U;
  readonly fail: (fail: Fail) => U;
}

function ok<T>(value: T): Ok<T> {
  return { kind: 'ok', value };
}

function retry(reason: string, options: { readonly afterMs?: number; readonly uncertain?: boolean } = {}): Retry {
  if (options.afterMs !== undefined && !(Number.isFinite(options.afterMs) && options.afterMs >= 0)) {
    throw new RangeError(`Outcome.retry: afterMs must be a finite number >= 0, got ${String(options.afterMs)}`);
  }
  return {
    kind: 'retry',
    reason,
    ...(options.afterMs === undefined ? {} : { afterMs: options.afterMs }),
    ...(options.uncertain ? { uncertain: true } : {}),
  };
}

function fail(code: string, message: string, cause?: unknown): Fail {
  return { kind: 'fail', code, message, ...(cause === undefined ? {} : { cause }) };
}

/** Exhaustive: every kind needs a handler, so adding a kind breaks every caller at compile time. */
function match<T, U>(outcome: Outcome<T>, handlers: OutcomeHandlers<T, U>): U {
  switch (outcome.kind) {
    case 'ok':
      return handlers.ok(outcome);
    case 'retry':
      return handlers.retry(outcome);
    case 'fail':
      return handlers.fail(outcome);
  }
}

function isOk<T>(outcome: Outcome<T>): outcome is Ok<T> {
  return outcome.kind === 'ok';
}

function isRetry<T>(outcome: Outcome<T>): outcome is Retry {
  return outcome.kind === 'retry';
}

function isFail<T>(outcome: Outcome<T>): outcome is Fail {
  return outcome.kind === 'fail';
}

/** True for any value shaped like an Outcome; the runtime checks what `executeInternal` returned with it. */
function isOutcome(value: unknown): value is Outcome<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  switch (candidate['kind']) {
    case 'ok':
      return 'value' in candidate;
    case 'retry':
      return typeof candidate['reason'] === 'string';
    case 'fail':
      return typeof candidate['code'] === 'string' && typeof candidate['message'] === 'string';
    default:
      return false;
  }
}

export const Outcome = { ok, retry, fail, match, isOk, isRetry, isFail, isOutcome } as const;
