import type { Clock, RandomSource } from './clock.js';
import type { Logger } from './logger.js';
import type { LifecycleObserver } from './observer.js';
import type { AnyOrchestrator, Finalizer, Reaper } from './orchestrator.js';
import type { Store } from './store/store.js';
import type { Telemetry } from './telemetry.js';
import type { TokenBucket } from './token-bucket.js';

export interface Registration<Tx> {
  readonly orchestrator: AnyOrchestrator;
  readonly finalizer: Finalizer<AnyOrchestrator, Tx>;
  readonly reaper: Reaper<AnyOrchestrator>;
  readonly limiter: TokenBucket | undefined;
}

/** What the lifecycle modules share; built once by the Runtime (no globals). */
export interface RuntimeContext<Tx> {
  readonly store: Store<Tx>;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly observer: LifecycleObserver;
  readonly telemetry: Telemetry;
  readonly workerId: string;
  readonly registrations: ReadonlyMap<string, Registration<Tx>>;
  readonly batchSize: number;
}

export function registeredNames<Tx>(context: RuntimeContext<Tx>): string[] {
  return [...context.registrations.keys()];
}

/** Calls an observer callback; an observer must never break the lifecycle, so its errors are only logged. */
export function notify<K extends keyof LifecycleObserver>(
  context: Pick<RuntimeContext<unknown>, 'observer' | 'logger'>,
  event: K,
  payload: Parameters<NonNullable<LifecycleObserver[K]>>[0],
): void {
  const callback = context.observer[event] as ((payload: unknown) => void) | undefined;
  if (!callback) return;
  try {
    callback.call(context.observer, payload);
  } catch (error) {
    context.logger.error(`lifecycle observer "${event}" threw; ignored`, { error });
  }
}
