import rule from '../../src/rules/lifecycle-order.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';
import { safecallModelFixtureDir } from './model-fixture.js';

createUntypedRuleTester().run('lifecycle-order', rule, {
  valid: [
    {
      name: 'commands go through runtime.accept',
      code: `
import { Runtime } from '@safecall/runtime';
export async function chargeOrder(runtime: Runtime, order: Order, idemKey: string) {
  return runtime.accept('payment', { idemKey, orderId: order.id, amount: order.total });
}`,
    },
    {
      name: 'an intermediate delegates to its parent executeInternal',
      code: `
import { Orchestrator, Outcome } from '@safecall/runtime';
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) { return Outcome.ok(undefined); }
}
class AuditedPaymentOrchestrator extends PaymentOrchestrator {
  protected override async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    this.audit.record(opId);
    return super.executeInternal(opId, cmd, ctx);
  }
}`,
    },
    {
      name: 'an unrelated executeInternal in a file that knows nothing of safecall',
      code: `
class Job { protected executeInternal() {} run() { this.executeInternal(); } }
export function runJob(job: Job) { job.executeInternal(); }`,
    },
    {
      name: 'a Finalizer implements finalize, and accept/execute on other classes are fine',
      code: `
import { Finalizer, Orchestrator } from '@safecall/runtime';
class PaymentFinalizer extends Finalizer<PaymentOrchestrator> {
  async finalize(tx: Tx, record: FinalizeRecord) { await tx.orders.markPaid(record.command.orderId); }
}
class InvitationService { accept(token: string) { return token; } }
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  static execute() { return 'a static helper is not the lifecycle'; }
  protected async executeInternal() { return Outcome.ok(undefined); }
}`,
    },
  ],
  invalid: [
    {
      name: 'a test or service calling executeInternal on an orchestrator',
      code: `
import { Outcome } from '@safecall/runtime';
import { PaymentOrchestrator } from './payment.orchestrator';
const orchestrator = new PaymentOrchestrator(gateway);
await orchestrator['executeInternal'](opId, command, context);
await (orchestrator as any).executeInternal.call(orchestrator, opId, command, context);`,
      errors: [
        { messageId: 'directExecuteCall', line: 5, column: 20 },
        { messageId: 'directExecuteCall', line: 6, column: 29 },
      ],
    },
    {
      name: 'an orchestrator that runs itself, and an override of accept, execute and finalize',
      code: `
import { Orchestrator as Base, Outcome } from '@safecall/runtime';
export class PaymentOrchestrator extends Base<ChargeCommand, void> {
  async accept(cmd: ChargeCommand) { return this.executeInternal(newOpId(), cmd, defaultContext); }
  execute = async (cmd: ChargeCommand) => this.accept(cmd);
  protected async executeInternal() { return Outcome.ok(undefined); }
  async finalize() {}
}`,
      errors: [
        { messageId: 'overriddenLifecycle', line: 4, column: 9, data: { orchestrator: 'PaymentOrchestrator', method: 'accept' } },
        { messageId: 'directExecuteCall', line: 4, column: 50 },
        { messageId: 'overriddenLifecycle', line: 5, column: 3, data: { orchestrator: 'PaymentOrchestrator', method: 'execute' } },
        { messageId: 'overriddenLifecycle', line: 7, column: 9, data: { orchestrator: 'PaymentOrchestrator', method: 'finalize' } },
      ],
    },
    {
      name: 'a variable made from an orchestrator class in the same file, in a file without runtime imports',
      code: `
import * as sc from '@acme/safecall-fork';
class SmsOrchestrator extends sc.Orchestrator<SmsCommand, void> {}
const sms = new SmsOrchestrator();
sms.executeInternal(opId, cmd, ctx);`,
      options: [{ runtimeModules: ['@acme/safecall-fork'] }],
      errors: [{ messageId: 'directExecuteCall', line: 5, column: 5 }],
    },
    {
      name: 'a configured lifecycle method name',
      code: `
import { Orchestrator } from '@safecall/runtime';
class ShippingOrchestrator extends Orchestrator<ShipCommand, void> {
  run() {}
}`,
      options: [{ lifecycleMethods: ['run'] }],
      errors: [{ messageId: 'overriddenLifecycle', line: 4, column: 3, data: { orchestrator: 'ShippingOrchestrator', method: 'run' } }],
    },
  ],
});

createTypedRuleTester(safecallModelFixtureDir).run('lifecycle-order (typed)', rule, {
  valid: [
    {
      name: 'executeInternal of a non-orchestrator class typed in another file',
      filename: 'app/file.ts',
      code: `
import { Orchestrator2 } from './refund.orchestrator';
export const legacy = new Orchestrator2().executeInternal();`,
    },
  ],
  invalid: [
    {
      name: 'a value typed as an orchestrator declared in another file',
      filename: 'app/file.ts',
      code: `
import type { PaymentOrchestrator } from './payment.orchestrator';
export async function replay(payments: PaymentOrchestrator) {
  return (payments as unknown as { executeInternal(): Promise<unknown> } & PaymentOrchestrator).executeInternal();
}
export function direct(p: PaymentOrchestrator) {
  // @ts-expect-error executeInternal is protected
  return p.executeInternal();
}`,
      errors: [
        { messageId: 'directExecuteCall', line: 4, column: 97 },
        { messageId: 'directExecuteCall', line: 8, column: 12 },
      ],
    },
  ],
});
