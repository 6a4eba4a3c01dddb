import type { RandomSource } from './clock.js';

/** Exponential backoff; with full jitter the delay is uniform in [0, min(maxMs, initialMs * factor^(n-1))). */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** 'full' (default) spreads retries of many clients apart; 'none' waits exactly the ceiling. */
  readonly jitter: 'full' | 'none';
}

/** AWS's "Exponential Backoff and Jitter" study: full jitter does the least total work. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, factor: 2, maxMs: 5 * 60_000, jitter: 'full' };

export const DEFAULT_MAX_ATTEMPTS = 8;

export function resolveBackoff(overrides: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const policy = { ...DEFAULT_BACKOFF, ...overrides };
  if (!(policy.initialMs >= 0 && Number.isFinite(policy.initialMs))) {
    throw new RangeError(`backoff.initialMs must be a finite number >= 0, got ${policy.initialMs}`);
  }
  if (!(policy.factor >= 1 && Number.isFinite(policy.factor))) {
    throw new RangeError(`backoff.factor must be a finite number >= 1, got ${policy.factor}`);
  }
  if (!(policy.maxMs >= policy.initialMs && Number.isFinite(policy.maxMs))) {
    throw new RangeError(`backoff.maxMs must be finite and >= initialMs (${policy.initialMs}), got ${policy.maxMs}`);
  }
  return policy;
}

/** The ceiling for the delay after the `failedAttempt`-th attempt (1-based). */
export function backoffCeiling(failedAttempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, failedAttempt - 1));
}

/** The delay before the attempt after `failedAttempt`. */
export function backoffDelay(failedAttempt: number, policy: BackoffPolicy, random: RandomSource): number {
  const ceiling = backoffCeiling(failedAttempt, policy);
  return policy.jitter === 'full' ? Math.floor(random() * ceiling) : ceiling;
}
