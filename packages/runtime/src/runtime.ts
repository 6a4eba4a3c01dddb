import type { Meter, Tracer } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { acceptOperation, findRegistration, type AcceptOptions, type AcceptResult } from './accept.js';
import { systemClock, type Clock, type RandomSource } from './clock.js';
import type { Command } from './command.js';
import { notify, registeredNames, type Registration, type RuntimeContext } from './context.js';
import { NoProgressError, RegistrationError, RuntimeStoppedError } from './errors.js';
import { executeOperation } from './execute.js';
import { recoverPendingWal } from './finalize.js';
import { consoleLogger, type Logger } from './logger.js';
import type { LifecycleObserver } from './observer.js';
import { Finalizer, Orchestrator, Reaper, requirePositiveInteger, type AnyOrchestrator } from './orchestrator.js';
import { reapExpiredLeases } from './reaper.js';
import { pruneExpired, type RetentionPolicy } from './retention.js';
import type { FinalizeResult, OperationRow, Store } from './store/store.js';
import { createTelemetry } from './telemetry.js';
import { TokenBucket } from './token-bucket.js';

const HOUR = 60 * 60_000;

export interface RuntimeOptions<Tx> {
  readonly store: Store<Tx>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: Math.random (used for backoff jitter). */
  readonly random?: RandomSource;
  /** Default: warnings and errors to stderr. */
  readonly logger?: Logger;
  /** Default: the global OpenTelemetry meter / tracer (no-op without an SDK). */
  readonly meter?: Meter;
  readonly tracer?: Tracer;
  readonly observer?: LifecycleObserver;
  /** Names this process in leases. Default: a random UUID. */
  readonly workerId?: string;
  /** Attempts executed at once by `start()` and `runUntilIdle()`. Default 4. */
  readonly concurrency?: number;
  /**
   * How often the worker loop looks for due work when idle, and how often it runs its finalizer and reaper
   * passes. Default 1000 ms. A store with push wake-ups (PostgresStore's LISTEN/NOTIFY) wakes it sooner.
   */
  readonly pollIntervalMs?: number;
  /** Lease length = 2 × the largest execution timeout (reconcile + execute) + this margin. Default 30 s. */
  readonly leaseMarginMs?: number;
  /** The worker loop finalizes PENDING WAL entries older than this (younger ones are still being finalized). Default 10 s. */
  readonly walRecoveryDelayMs?: number;
  /** Default 24 h (Stripe keeps keys at least 24 h). */
  readonly keyRetentionMs?: number;
  /** Default 24 h. */
  readonly walRetentionMs?: number;
  /** How often the worker loop prunes expired WAL entries and operations. Default 1 h. */
  readonly pruneIntervalMs?: number;
  /** Rows per claim, recovery, reap and delete batch. Default 100. */
  readonly batchSize?: number;
}

export interface StopOptions {
  /** How long to let running attempts finish before aborting their signals. Default 30 s. */
  readonly graceMs?: number;
}

/** An operation as `runtime.get` returns it: the stored row with its command parsed. */
export interface Operation extends OperationRow {
  readonly command: unknown;
}

type RuntimeState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * Accept → Execute → Finalize, durably. `accept` stores an operation under its idempotency key; the worker
 * loop (`start`) or `runUntilIdle` executes due operations, records each outcome in the WAL and finalizes
 * it; the finalizer and reaper loops recover what a crash left behind.
 */
export class Runtime<Tx = unknown> {
  readonly #context: RuntimeContext<Tx>;
  readonly #registrations = new Map<string, Registration<Tx>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stopController = new AbortController();
  readonly #concurrency: number;
  readonly #pollIntervalMs: number;
  readonly #leaseMarginMs: number;
  readonly #walRecoveryDelayMs: number;
  readonly #pruneIntervalMs: number;
  readonly #retention: RetentionPolicy;
  #state: RuntimeState = 'idle';
  #loop: Promise<void> | undefined;
  #endIdle: (() => void) | undefined;
  /** Set when there may be new work since the loop's step began; the next idle is skipped. */
  #woken = false;
  /** Monotonic (performance.now) time of the last recovery and reaping pass. */
  #lastRecoveryAt = Number.NEGATIVE_INFINITY;
  #lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(options: RuntimeOptions<Tx>) {
    if (!options?.store) throw new TypeError('Runtime needs a store, e.g. new Runtime({ store: new SqliteStore("app.db") })');
    this.#context = {
      store: options.store,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      logger: options.logger ?? consoleLogger,
      observer: options.observer ?? {},
      telemetry: createTelemetry(options.meter, options.tracer),
      workerId: options.workerId ?? `worker-${randomUUID()}`,
      registrations: this.#registrations,
      batchSize: options.batchSize ?? 100,
    };
    this.#concurrency = options.concurrency ?? 4;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#leaseMarginMs = options.leaseMarginMs ?? 30_000;
    this.#walRecoveryDelayMs = options.walRecoveryDelayMs ?? 10_000;
    this.#pruneIntervalMs = options.pruneIntervalMs ?? HOUR;
    this.#retention = {
      keyRetentionMs: options.keyRetentionMs ?? 24 * HOUR,
      walRetentionMs: options.walRetentionMs ?? 24 * HOUR,
    };
    requirePositiveInteger('Runtime concurrency', this.#concurrency);
    requirePositiveInteger('Runtime batchSize', this.#context.batchSize);
    requirePositiveInteger('Runtime pollIntervalMs', this.#pollIntervalMs);
  }

  get workerId(): string {
    return this.#context.workerId;
  }

  /** Registers an orchestrator with its recovery: a Finalizer and a Reaper are both required. */
  register<O extends AnyOrchestrator>(orchestrator: O, recovery: { readonly finalizer: Finalizer<O, Tx>; readonly reaper: Reaper<O> }): this {
    this.#assertNotStopped('register an orchestrator');
    if (!(orchestrator instanceof Orchestrator)) {
      throw new RegistrationError(`register: expected an Orchestrator instance, got ${describe(orchestrator)}`);
    }
    const name = orchestrator.name;
    if (!(recovery?.finalizer instanceof Finalizer)) {
      throw new RegistrationError(
        `register("${name}"): a Finalizer is required (got ${describe(recovery?.finalizer)}); it records outcomes in your database ` +
          'inside the finalize transaction, and applies what a crash left in the WAL',
      );
    }
    if (!(recovery.reaper instanceof Reaper)) {
      throw new RegistrationError(
        `register("${name}"): a Reaper is required (got ${describe(recovery.reaper)}); it decides on operations whose worker died`,
      );
    }
    if (this.#registrations.has(name)) {
      throw new RegistrationError(`register: an orchestrator named "${name}" is already registered; names must be unique`);
    }
    const limit = orchestrator.options.rateLimit;
    this.#registrations.set(name, {
      orchestrator,
      finalizer: recovery.finalizer as unknown as Finalizer<AnyOrchestrator, Tx>,
      reaper: recovery.reaper,
      limiter: limit && new TokenBucket(limit, this.#context.clock.now()),
    });
    return this;
  }

  /**
   * Stores the command as an operation, once per (orchestrator, scope, idemKey). Throws a SafecallError
   * (and writes nothing) when the command is refused.
   */
  async accept<C extends Command>(name: string, cmd: C, options?: AcceptOptions): Promise<AcceptResult> {
    this.#assertNotStopped('accept');
    return acceptOperation(this.#context, name, cmd, options);
  }

  async get(opId: string): Promise<Operation | undefined> {
    const row = await this.#context.store.getOperation(opId);
    return row && { ...row, command: JSON.parse(row.payload) as unknown };
  }

  /** Starts the worker loop in the background: execute due operations, recover the WAL, reap leases, prune. */
  start(): void {
    this.#assertNotStopped('start');
    if (this.#state === 'running') return;
    if (this.#registrations.size === 0) {
      throw new RegistrationError('start: no orchestrator is registered; call runtime.register(...) first');
    }
    this.#state = 'running';
    this.#loop = this.#workLoop();
  }

  /**
   * Graceful stop: no new claims; running attempts get `graceMs` to finish (then their signals abort and
   * they are recorded as uncertain retries); every attempt is finalized before this resolves. Closing the
   * store is the caller's business.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return this.#loop;
    this.#state = 'stopping';
    this.#wakeUp();
    const graceMs = options.graceMs ?? 30_000;
    const timer = setTimeout(() => this.#stopController.abort(), graceMs);
    try {
      await this.#loop;
      await Promise.allSettled([...this.#inFlight]);
    } finally {
      clearTimeout(timer);
      this.#state = 'stopped';
    }
  }

  /**
   * Runs everything to completion for tests and scripts: recovers the WAL, reaps expired leases, executes
   * due operations, and waits (through the clock, so a ManualClock makes backoff instant) for scheduled
   * retries, until every operation of the registered orchestrators is terminal. Not for use with `start()`.
   */
  async runUntilIdle(): Promise<void> {
    this.#assertNotStopped('run');
    const { clock, store } = this.#context;
    for (;;) {
      const recovered = await recoverPendingWal(this.#context, clock.now() + 1);
      const reaped = await reapExpiredLeases(this.#context);
      const executed = await Promise.all(await this.#claimAndExecute(this.#concurrency));
      if (executed.length > 0) continue;
      const wakeAt = await store.nextWakeAt({ orchestrators: registeredNames(this.#context) });
      if (wakeAt === null) return;
      const waitMs = wakeAt - clock.now();
      if (waitMs > 0) await clock.sleep(waitMs);
      else if (recovered === 0 && reaped === 0) {
        throw new NoProgressError(
          `runUntilIdle: operations are due but none could be claimed or finalized; check the logged finalize errors`,
        );
      }
    }
  }

  async #workLoop(): Promise<void> {
    const context = this.#context;
    // Push wake-ups where the store has them (PostgreSQL LISTEN/NOTIFY): an accept in any process is
    // claimed at once instead of at the next poll. Polling stays, for scheduled retries and missed notifications.
    const onDue = (orchestrator: string | null): void => {
      const ours = orchestrator === null || this.#registrations.has(orchestrator);
      if (ours && this.#inFlight.size < this.#concurrency) this.#wakeUp();
    };
    const unsubscribe = context.store.subscribeDue?.(onDue);
    try {
      await this.#runSteps();
    } finally {
      unsubscribe?.();
    }
  }

  async #runSteps(): Promise<void> {
    const context = this.#context;
    while (this.#state === 'running') {
      this.#woken = false;
      let claimedAll = false;
      try {
        await this.#recoverWhenDue();
        await this.#pruneWhenDue();
        const free = this.#concurrency - this.#inFlight.size;
        if (free > 0) {
          const started = await this.#claimAndExecute(free);
          for (const execution of started) this.#track(execution);
          claimedAll = started.length === free;
        }
      } catch (error) {
        context.logger.error('worker loop step failed; retrying after the poll interval', { error });
      }
      if (!claimedAll || this.#inFlight.size >= this.#concurrency) await this.#idle();
    }
  }

  /** Claims up to `limit` due operations and starts executing each; returns the running executions. */
  async #claimAndExecute(limit: number): Promise<Promise<FinalizeResult | undefined>[]> {
    const context = this.#context;
    const orchestrators = registeredNames(context);
    if (orchestrators.length === 0) return [];
    const claimed = await context.store.claimDueOperations({
      now: context.clock.now(),
      limit,
      leaseOwner: context.workerId,
      leaseMs: this.#leaseMs(),
      orchestrators,
    });
    return claimed.map((operation) => {
      notify(context, 'claimed', {
        opId: operation.opId,
        orchestrator: operation.orchestrator,
        attempt: operation.attempt,
        leaseExpiresAt: operation.leaseExpiresAt ?? 0,
      });
      const registration = findRegistration(context, operation.orchestrator);
      return executeOperation(context, registration, operation, this.#stopController.signal).catch((error: unknown) => {
        // Only the store can fail here; the lease will expire and the reaper will take the operation back.
        context.logger.error('recording an attempt failed; the reaper will recover the operation', {
          opId: operation.opId,
          attempt: operation.attempt,
          error,
        });
        return undefined;
      });
    });
  }

  #track(execution: Promise<unknown>): void {
    this.#inFlight.add(execution);
    void execution.finally(() => {
      this.#inFlight.delete(execution);
      this.#wakeUp();
    });
  }

  /**
   * The finalizer and reaper passes run once per poll interval, not on every wake-up: a busy worker wakes
   * for each finished attempt, and those passes would cost two queries each time for nothing.
   */
  async #recoverWhenDue(): Promise<void> {
    const now = performance.now();
    if (now - this.#lastRecoveryAt < this.#pollIntervalMs) return;
    this.#lastRecoveryAt = now;
    const context = this.#context;
    await recoverPendingWal(context, context.clock.now() - this.#walRecoveryDelayMs);
    await reapExpiredLeases(context);
  }

  async #pruneWhenDue(): Promise<void> {
    const now = this.#context.clock.now();
    if (now - this.#lastPruneAt < this.#pruneIntervalMs) return;
    this.#lastPruneAt = now;
    await pruneExpired(this.#context, this.#retention);
  }

  /** Sleeps for the poll interval, or until woken: an execution finished, work was announced, or stop() was called. */
  #idle(): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#pollIntervalMs);
      this.#endIdle = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  #wakeUp(): void {
    this.#woken = true;
    this.#endIdle?.();
  }

  #leaseMs(): number {
    const longest = Math.max(...[...this.#registrations.values()].map((r) => r.orchestrator.options.timeoutMs));
    return 2 * longest + this.#leaseMarginMs;
  }

  #assertNotStopped(action: string): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') throw new RuntimeStoppedError(action);
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return typeof value;
}
