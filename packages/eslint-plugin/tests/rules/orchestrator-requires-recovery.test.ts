import rule from '../../src/rules/orchestrator-requires-recovery.js';
import { createTypedRuleTester } from '../rule-tester.js';

const header = `
import { Orchestrator, Outcome, Finalizer, Reaper, type Command } from '@safecall/runtime';
interface ChargeCommand extends Command { readonly amount: number }`;

const missing = (messageId: 'missingFinalizer' | 'missingReaper', orchestrator: string, line: number, column: number) => ({
  messageId,
  data: { orchestrator, stem: orchestrator.replace(/Orchestrator$/, '') },
  line,
  column,
});

createTypedRuleTester().run('orchestrator-requires-recovery', rule, {
  valid: [
    // The Finalizer and the Reaper live in another file (tests/fixtures/orchestrator-requires-recovery).
    `${header}
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal() { return Outcome.ok({ txId: 't' }); }
}`,
    // Both in the same file.
    `${header}
export class RefundOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal() { return Outcome.ok(undefined); }
}
export class RefundFinalizer extends Finalizer<RefundOrchestrator> { finalize(): void {} }
export class RefundReaper extends Reaper<RefundOrchestrator> {}`,
    // An abstract intermediate is not run by itself; its concrete subclasses are checked.
    `${header}
export abstract class GatewayOrchestrator<C extends Command> extends Orchestrator<C, void> {}`,
    // A class named *Orchestrator that does not extend the runtime's.
    'export class DeploymentOrchestrator { run() {} }',
  ],
  invalid: [
    {
      code: `${header}
export class RefundOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal() { return Outcome.ok(undefined); }
}`,
      errors: [missing('missingFinalizer', 'RefundOrchestrator', 4, 14), missing('missingReaper', 'RefundOrchestrator', 4, 14)],
    },
    {
      // The Finalizer in the other file is not enough.
      code: `${header}
export class ShipmentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal() { return Outcome.ok(undefined); }
}`,
      errors: [missing('missingReaper', 'ShipmentOrchestrator', 4, 14)],
    },
    {
      // Through an abstract intermediate; a Finalizer for another orchestrator does not count.
      code: `${header}
abstract class GatewayOrchestrator<C extends Command> extends Orchestrator<C, void> {}
export class SmsOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  protected async executeInternal() { return Outcome.ok(undefined); }
}
export class EmailOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  protected async executeInternal() { return Outcome.ok(undefined); }
}
export class EmailFinalizer extends Finalizer<EmailOrchestrator> { finalize(): void {} }
export class EmailReaper extends Reaper<EmailOrchestrator> {}`,
      errors: [missing('missingFinalizer', 'SmsOrchestrator', 5, 14), missing('missingReaper', 'SmsOrchestrator', 5, 14)],
    },
  ],
});
