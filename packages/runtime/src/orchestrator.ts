import type { StandardSchemaV1 } from '@standard-schema/spec';
import { DEFAULT_MAX_ATTEMPTS, resolveBackoff, type BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import type { Command, ExecutionContext, OpId } from './command.js';
import type { Logger } from './logger.js';
import type { Outcome } from './outcome.js';
import type { StoredOutcome } from './store/store.js';

export interface RateLimit {
  /** Burst size: tokens in a full bucket. */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly refillPerSecond: number;
}

export interface OrchestratorOptions<C extends Command> {
  /** The name `runtime.accept(name, cmd)` uses; stored with each operation, so keep it stable. */
  readonly name: string;
  /** Attempts before a Retry becomes a Fail with code RETRIES_EXHAUSTED. Default 8. */
  readonly maxAttempts?: number;
  /** Default: initial 1 s, factor 2, cap 5 min, full jitter. */
  readonly backoff?: Partial<BackoffPolicy>;
  /** How long `executeInternal` may take before its signal aborts and the attempt counts as uncertain. Default 30 s. */
  readonly timeoutMs?: number;
  /** Largest accepted command, as UTF-8 bytes of its canonical JSON. Default 64 KiB. */
  readonly maxPayloadBytes?: number;
  /** A Standard Schema (zod, valibot, arktype, ...) the command must pass at accept. */
  readonly validator?: StandardSchemaV1<unknown, C>;
  /** Token bucket on accept; no limit by default. */
  readonly rateLimit?: RateLimit;
}

export interface ResolvedOrchestratorOptions<C extends Command> {
  readonly name: string;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly timeoutMs: number;
  readonly maxPayloadBytes: number;
  readonly validator: StandardSchemaV1<unknown, C> | undefined;
  readonly rateLimit: RateLimit | undefined;
}

/**
 * One kind of external call. Subclasses implement `executeInternal`; the runtime calls it (never your
 * code) after Accept, outside any transaction, and records the Outcome through the WAL and the Finalizer.
 */
export abstract class Orchestrator<C extends Command, R> {
  /** Type-level only: lets Finalizer<O> and Reaper<O> see the command and result types. */
  declare readonly '~types'?: { readonly command: C; readonly result: R };

  readonly name: string;
  readonly options: ResolvedOrchestratorOptions<C>;

  constructor(options: OrchestratorOptions<C>) {
    this.options = resolveOrchestratorOptions(options);
    this.name = this.options.name;
  }

  /**
   * The external call. Return an Outcome on every path; never throw, never open a transaction here.
   * Pass `ctx.idempotencyKey` to the provider and `ctx.signal` to the HTTP client.
   */
  protected abstract executeInternal(opId: OpId, cmd: C, ctx: ExecutionContext): Promise<Outcome<R>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest orchestrator, for constraints
export type AnyOrchestrator = Orchestrator<any, any>;
export type CommandOf<O extends AnyOrchestrator> = NonNullable<O['~types']>['command'];
export type ResultOf<O extends AnyOrchestrator> = NonNullable<O['~types']>['result'];

/** An outcome as the Finalizer sees it: what executeInternal returned, with the attempt and the decision. */
export type FinalizedOutcome<R> =
  | { readonly kind: 'ok'; readonly attempt: number; readonly value: R }
  | Exclude<StoredOutcome, { readonly kind: 'ok' }>;

export interface FinalizeRecord<C extends Command, R> {
  readonly opId: OpId;
  readonly orchestrator: string;
  readonly scope: string;
  readonly command: C;
  readonly attempt: number;
  /** The operation's state after this finalize. */
  readonly state: 'SUCCEEDED' | 'FAILED' | 'RETRY_SCHEDULED';
  readonly outcome: FinalizedOutcome<R>;
}

/**
 * Writes the domain's side of an outcome (order paid, upload recorded) in the same transaction that
 * records it on the operation and completes its WAL entry, so the two never disagree after a crash.
 */
export abstract class Finalizer<O extends AnyOrchestrator, Tx = unknown> {
  /**
   * Runs inside the finalize transaction, after the operation row is updated and before commit; called for
   * every finalized attempt (check `record.state`). Write only through `tx`, make no network calls (a
   * transaction is open), and touch nothing outside `tx`: throwing rolls back everything and the
   * WAL entry is finalized again later.
   */
  abstract finalize(tx: Tx, record: FinalizeRecord<CommandOf<O>, ResultOf<O>>): void | Promise<void>;
}

export interface ReconcileRequest<C extends Command> {
  readonly opId: OpId;
  readonly command: C;
  /** The attempt about to run; the uncertain one was attempt - 1. */
  readonly attempt: number;
  /** The key the uncertain attempt sent: look it up at the provider. */
  readonly idempotencyKey: string;
  /** What was recorded for the uncertain attempt (reason: timeout, lost lease, ...). */
  readonly previous: StoredOutcome | null;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ExpiredLease<C extends Command> {
  readonly opId: OpId;
  readonly command: C;
  /** The attempt whose worker stopped renewing its lease (crashed, hung, or is still running late). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number;
}

export type ExpiredLeaseDecision =
  | { readonly action: 'retry' }
  | { readonly action: 'fail'; readonly code: string; readonly message: string };

/**
 * Decides on stuck operations. The runtime's reaper loop finds operations whose lease expired and asks
 * `decideExpired`; before retrying an attempt whose effect is unknown it asks `reconcile`, if defined.
 */
export abstract class Reaper<O extends AnyOrchestrator> {
  /**
   * Ask the provider what happened to an uncertain attempt (e.g. "is there a charge with this idempotency
   * key?"). Return Ok / Fail when it knows (no new call is made), Retry to wait and ask again later, or
   * undefined to go ahead and execute again with the same key.
   */
  reconcile?(request: ReconcileRequest<CommandOf<O>>): Promise<Outcome<ResultOf<O>> | undefined>;

  /** Default: retry (as uncertain, with backoff; FAILED once attempts are exhausted). */
  decideExpired(_lease: ExpiredLease<CommandOf<O>>): ExpiredLeaseDecision {
    return { action: 'retry' };
  }
}

function resolveOrchestratorOptions<C extends Command>(options: OrchestratorOptions<C>): ResolvedOrchestratorOptions<C> {
  if (typeof options?.name !== 'string' || !/^[A-Za-z][\w.-]*$/.test(options.name)) {
    throw new TypeError(
      `Orchestrator name must start with a letter and contain only letters, digits, "_", "." or "-"; got ${JSON.stringify(options?.name)}`,
    );
  }
  const resolved = {
    name: options.name,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: resolveBackoff(options.backoff),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 64 * 1024,
    validator: options.validator,
    rateLimit: options.rateLimit,
  };
  requirePositiveInteger(`${options.name}: maxAttempts`, resolved.maxAttempts);
  requirePositiveInteger(`${options.name}: timeoutMs`, resolved.timeoutMs);
  requirePositiveInteger(`${options.name}: maxPayloadBytes`, resolved.maxPayloadBytes);
  if (resolved.rateLimit && !(resolved.rateLimit.capacity >= 1 && resolved.rateLimit.refillPerSecond > 0)) {
    throw new RangeError(
      `${options.name}: rateLimit needs capacity >= 1 and refillPerSecond > 0, got ${JSON.stringify(resolved.rateLimit)}`,
    );
  }
  return resolved;
}

export function requirePositiveInteger(what: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${what} must be a positive integer, got ${value}`);
}
