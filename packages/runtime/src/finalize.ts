import type { OpId } from './command.js';
import { notify, registeredNames, type RuntimeContext } from './context.js';
import type { FinalizeRecord } from './orchestrator.js';
import type { FinalizeHook, FinalizeResult, OperationRow, StoredOutcome, WalKey } from './store/store.js';
import { operationUpdateFor } from './wal.js';

/** Appends an attempt's outcome to the WAL, then finalizes it. Returns the finalize result. */
export async function recordOutcome<Tx>(
  context: RuntimeContext<Tx>,
  operation: OperationRow,
  outcome: StoredOutcome,
  event: 'walAppended' | 'reaped',
): Promise<FinalizeResult> {
  const key = { opId: operation.opId, attempt: outcome.attempt };
  const [appended] = await context.store.appendWal([{ ...key, outcome, now: context.clock.now() }]);
  if (appended) {
    notify(context, event, { ...key, orchestrator: operation.orchestrator, outcome });
  } else {
    context.logger.warn('attempt already had an outcome in the WAL; this one is discarded', {
      ...key,
      orchestrator: operation.orchestrator,
      discarded: outcome.kind,
    });
  }
  const [result] = await finalizeEntries(context, [key]);
  return result!;
}

/** Applies WAL entries, each in one transaction with its orchestrator's Finalizer. */
export async function finalizeEntries<Tx>(context: RuntimeContext<Tx>, keys: readonly WalKey[]): Promise<FinalizeResult[]> {
  const results = await context.store.finalizeWal(keys, context.clock.now(), finalizeHook(context));
  for (const result of results) {
    context.telemetry.finalized.add(1, { status: result.status });
    if (result.status === 'failed') {
      context.logger.error('finalize failed; the WAL entry stays PENDING and will be finalized again', {
        opId: result.opId,
        attempt: result.attempt,
        error: result.error,
      });
    } else if (result.operation && (result.status === 'applied' || result.status === 'stale')) {
      notify(context, 'finalized', {
        opId: result.opId,
        orchestrator: result.operation.orchestrator,
        attempt: result.attempt,
        status: result.status,
        state: result.operation.state,
      });
    }
  }
  return results;
}

/**
 * The finalizer loop's step: finalizes PENDING entries older than `createdBefore` (left by a crash between
 * WAL append and finalize). Returns how many were applied or marked stale.
 */
export async function recoverPendingWal<Tx>(context: RuntimeContext<Tx>, createdBefore: number): Promise<number> {
  const pending = await context.store.listPendingWal({
    createdBefore,
    limit: context.batchSize,
    orchestrators: registeredNames(context),
  });
  if (pending.length === 0) return 0;
  const results = await finalizeEntries(context, pending);
  return results.filter((r) => r.status === 'applied' || r.status === 'stale').length;
}

function finalizeHook<Tx>(context: RuntimeContext<Tx>): FinalizeHook<Tx> {
  return async (tx, entry, operation) => {
    const registration = context.registrations.get(operation.orchestrator);
    if (!registration) throw new Error(`no Finalizer registered for orchestrator "${operation.orchestrator}"`);
    const { state } = operationUpdateFor(entry.outcome);
    const record: FinalizeRecord<never, unknown> = {
      opId: operation.opId as OpId,
      orchestrator: operation.orchestrator,
      scope: operation.scope,
      command: JSON.parse(operation.payload) as never,
      attempt: entry.attempt,
      state,
      outcome: entry.outcome,
    };
    await registration.finalizer.finalize(tx, record);
    notify(context, 'finalizing', { opId: entry.opId, orchestrator: operation.orchestrator, attempt: entry.attempt, outcome: entry.outcome });
  };
}
