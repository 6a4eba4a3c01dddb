import { backoffDelay } from './backoff.js';
import type { RandomSource } from './clock.js';
import type { Outcome } from './outcome.js';
import type { ResolvedOrchestratorOptions } from './orchestrator.js';
import type { Command } from './command.js';
import type { OperationState, StoredOutcome } from './store/store.js';

/** How a finalized WAL entry changes its operation; shared by every store so they cannot drift apart. */
export interface OperationUpdate {
  readonly state: Extract<OperationState, 'SUCCEEDED' | 'FAILED' | 'RETRY_SCHEDULED'>;
  readonly nextAttemptAt: number | null;
  readonly uncertain: boolean;
}

export function operationUpdateFor(outcome: StoredOutcome): OperationUpdate {
  switch (outcome.kind) {
    case 'ok':
      return { state: 'SUCCEEDED', nextAttemptAt: null, uncertain: false };
    case 'fail':
      return { state: 'FAILED', nextAttemptAt: null, uncertain: false };
    case 'retry':
      return { state: 'RETRY_SCHEDULED', nextAttemptAt: outcome.nextAttemptAt, uncertain: outcome.uncertain };
  }
}

/**
 * Turns an attempt's Outcome into what the WAL stores: a Retry gets its backoff and next attempt time
 * (persisted, so a restart keeps the schedule), or becomes a Fail once the attempts are used up.
 */
export function decideOutcome(
  outcome: Outcome<unknown>,
  attempt: number,
  options: Pick<ResolvedOrchestratorOptions<Command>, 'maxAttempts' | 'backoff'>,
  now: number,
  random: RandomSource,
): StoredOutcome {
  switch (outcome.kind) {
    case 'ok':
      return { kind: 'ok', attempt, value: outcome.value ?? null };
    case 'fail':
      return {
        kind: 'fail',
        attempt,
        code: outcome.code,
        message: outcome.message,
        ...(outcome.cause === undefined ? {} : { cause: describeCause(outcome.cause) }),
      };
    case 'retry': {
      if (attempt >= options.maxAttempts) {
        return {
          kind: 'fail',
          attempt,
          code: 'RETRIES_EXHAUSTED',
          message: `gave up after ${attempt} attempt(s); last: ${outcome.reason}`,
        };
      }
      const backoffMs = outcome.afterMs ?? backoffDelay(attempt, options.backoff, random);
      return {
        kind: 'retry',
        attempt,
        reason: outcome.reason,
        uncertain: outcome.uncertain === true,
        backoffMs,
        nextAttemptAt: now + backoffMs,
      };
    }
  }
}

export function serializeOutcome(outcome: StoredOutcome): string {
  return JSON.stringify(outcome);
}

export function parseOutcome(json: string): StoredOutcome {
  return JSON.parse(json) as StoredOutcome;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause === 'string' ? cause : JSON.stringify(cause) ?? String(cause);
}
