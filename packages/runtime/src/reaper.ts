import type { Command, OpId } from './command.js';
import { registeredNames, type RuntimeContext } from './context.js';
import { recordOutcome } from './finalize.js';
import { Outcome } from './outcome.js';
import { decideOutcome } from './wal.js';

/**
 * The reaper loop's step: for each operation whose lease expired (its worker crashed, hung or is late),
 * ask its Reaper to retry or fail, and record that as the attempt's outcome through the WAL. If the worker
 * did record an outcome first, the WAL keeps the worker's and the reaper's is discarded.
 * Returns how many operations were finalized.
 */
export async function reapExpiredLeases<Tx>(context: RuntimeContext<Tx>): Promise<number> {
  const now = context.clock.now();
  const expired = await context.store.findExpiredLeases({
    now,
    limit: context.batchSize,
    orchestrators: registeredNames(context),
  });
  let finalized = 0;
  for (const operation of expired) {
    const registration = context.registrations.get(operation.orchestrator);
    if (!registration) continue;
    const { options } = registration.orchestrator;
    const decision = registration.reaper.decideExpired({
      opId: operation.opId as OpId,
      command: JSON.parse(operation.payload) as Command,
      attempt: operation.attempt,
      maxAttempts: options.maxAttempts,
      leaseOwner: operation.leaseOwner,
      leaseExpiresAt: operation.leaseExpiresAt ?? now,
    });
    const outcome =
      decision.action === 'fail'
        ? Outcome.fail(decision.code, decision.message)
        : Outcome.retry(
            `the lease of ${operation.leaseOwner ?? 'its worker'} expired during attempt ${operation.attempt}; ` +
              'the call may have reached the provider',
            { uncertain: true },
          );
    const stored = decideOutcome(outcome, operation.attempt, options, now, context.random);
    context.telemetry.reaped.add(1, { orchestrator: operation.orchestrator, decision: stored.kind });
    const result = await recordOutcome(context, operation, stored, 'reaped');
    if (result.status === 'applied' || result.status === 'stale') finalized += 1;
  }
  return finalized;
}
