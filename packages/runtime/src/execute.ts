import { idempotencyKeyOf, type Command, type ExecutionContext, type OpId } from './command.js';
import { notify, type Registration, type RuntimeContext } from './context.js';
import { recordOutcome } from './finalize.js';
import { Outcome, type Retry } from './outcome.js';
import type { AnyOrchestrator } from './orchestrator.js';
import type { FinalizeResult, OperationRow } from './store/store.js';
import { inSpan } from './telemetry.js';
import { decideOutcome } from './wal.js';

type Step = (signal: AbortSignal) => Promise<unknown>;

/**
 * Execute one claimed attempt: reconcile first if the previous attempt was uncertain, else call
 * `executeInternal` outside any transaction, bounded by the orchestrator's timeout; then record the
 * outcome (WAL, then finalize). Never throws for what executeInternal does.
 */
export async function executeOperation<Tx>(
  context: RuntimeContext<Tx>,
  registration: Registration<Tx>,
  operation: OperationRow,
  stopSignal: AbortSignal,
): Promise<FinalizeResult> {
  const { orchestrator } = registration;
  const opId = operation.opId as OpId;
  const attempt = operation.attempt;
  const idempotencyKey = idempotencyKeyOf(opId);
  const command = JSON.parse(operation.payload) as Command;
  const timeoutMs = orchestrator.options.timeoutMs;

  const outcome = await inSpan(
    context.telemetry.tracer,
    'safecall.execute',
    { 'safecall.orchestrator': orchestrator.name, 'safecall.op_id': opId, 'safecall.attempt': attempt },
    async (span) => {
      const startedAt = performance.now();
      const reconciled = operation.uncertain && registration.reaper.reconcile ? await reconcile() : undefined;
      const result =
        reconciled ??
        asOutcome(
          await runBounded((signal) => {
            notify(context, 'executing', { opId, orchestrator: orchestrator.name, attempt, idempotencyKey });
            return callExecuteInternal(orchestrator, opId, command, executionContext(signal));
          }, 'executeInternal'),
          'executeInternal',
        );
      span.setAttribute('safecall.outcome', result.kind);
      context.telemetry.attempts.add(1, { orchestrator: orchestrator.name, outcome: result.kind });
      context.telemetry.attemptDuration.record(performance.now() - startedAt, { orchestrator: orchestrator.name });
      return result;
    },
  );

  const stored = decideOutcome(outcome, attempt, orchestrator.options, context.clock.now(), context.random);
  return recordOutcome(context, operation, stored, 'walAppended');

  function executionContext(signal: AbortSignal): ExecutionContext {
    return { opId, attempt, idempotencyKey, signal, clock: context.clock, logger: context.logger };
  }

  /** Ask the Reaper about the uncertain previous attempt; undefined means "execute again with the same key". */
  async function reconcile(): Promise<Outcome<unknown> | undefined> {
    const reaper = registration.reaper;
    const settled = await runBounded(
      (signal) => reaper.reconcile!({ ...executionContext(signal), command, previous: operation.outcome }),
      'reconcile',
    );
    if ('value' in settled && settled.value === undefined) return undefined;
    const answer = asOutcome(settled, 'reconcile');
    // A Retry from reconcile means still unknown: the next attempt must ask again rather than send blindly.
    return Outcome.isRetry(answer) ? { ...answer, uncertain: true } : answer;
  }

  /** Runs a step bounded by the timeout and the stop signal; a timeout, abort or throw becomes an uncertain Retry. */
  async function runBounded(step: Step, what: string): Promise<{ readonly value: unknown } | { readonly retry: Retry }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const onStop = (): void => controller.abort(new Error('was aborted because the runtime stopped'));
    stopSignal.addEventListener('abort', onStop, { once: true });
    if (stopSignal.aborted) onStop();
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      return { value: await Promise.race([step(controller.signal), aborted]) };
    } catch (error) {
      const reason =
        controller.signal.aborted && error === controller.signal.reason
          ? `${what} ${(error as Error).message}; the request may have reached the provider`
          : `${what} threw ${describeError(error)}; return Outcome.retry or Outcome.fail instead of throwing`;
      return { retry: Outcome.retry(reason, { uncertain: true }) };
    } finally {
      clearTimeout(timer);
      stopSignal.removeEventListener('abort', onStop);
    }
  }
}

/** A non-Outcome result is recorded as an uncertain Retry: the call may have happened. */
function asOutcome(settled: { readonly value: unknown } | { readonly retry: Retry }, what: string): Outcome<unknown> {
  if ('retry' in settled) return settled.retry;
  if (Outcome.isOutcome(settled.value)) return settled.value;
  return Outcome.retry(
    `${what} returned ${describeValue(settled.value)} instead of an Outcome; return Outcome.ok, Outcome.retry or Outcome.fail`,
    { uncertain: true },
  );
}

// The runtime is the one caller allowed to reach the protected executeInternal.
function callExecuteInternal(orchestrator: AnyOrchestrator, opId: OpId, command: Command, ctx: ExecutionContext): Promise<unknown> {
  return Promise.resolve().then(() => orchestrator['executeInternal'](opId, command, ctx));
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return Array.isArray(value) ? 'an array' : `an object without a valid "kind"`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
}
