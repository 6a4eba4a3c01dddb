import rule from '../../src/rules/execute-must-be-async.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';
import { safecallModelFixtureDir } from './model-fixture.js';

const untyped = createUntypedRuleTester();

untyped.run('execute-must-be-async', rule, {
  valid: [
    {
      name: 'an async executeInternal that returns Outcomes',
      code: `
import { Orchestrator, Outcome, type OpId, type ExecutionContext } from '@safecall/runtime';
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const tx = await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey });
    return Outcome.ok({ txId: tx.id });
  }
}`,
    },
    {
      name: 'an async arrow property',
      code: `
import * as sc from '@safecall/runtime';
class MailOrchestrator extends sc.Orchestrator<MailCommand, void> {
  protected executeInternal = async () => sc.Outcome.ok(undefined);
}`,
    },
    {
      name: 'a synchronous method named executeInternal outside an Orchestrator',
      code: `
class ReportJob extends BaseJob {
  protected executeInternal(): boolean {
    return this.rows.length > 0;
  }
}`,
    },
    {
      name: 'the abstract declaration has no body to check',
      code: `
import { Orchestrator } from '@safecall/runtime';
abstract class GatewayOrchestrator<C extends Command> extends Orchestrator<C, void> {
  protected abstract executeInternal(opId: OpId, cmd: C, ctx: ExecutionContext): Promise<Outcome<void>>;
}`,
    },
    {
      name: 'other synchronous methods of an orchestrator',
      code: `
import { Orchestrator } from '@safecall/runtime';
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  describe(): string { return 'payment'; }
  protected async executeInternal() { return Outcome.ok(undefined); }
}`,
    },
  ],
  invalid: [
    {
      name: 'a synchronous method, fixed by adding async and wrapping the declared return type',
      code: `
import { Orchestrator as Base, Outcome } from '@safecall/runtime';
export class PaymentOrchestrator extends Base<ChargeCommand, void> {
  protected override executeInternal(opId: OpId, cmd: ChargeCommand): Outcome<void> {
    return Outcome.ok(undefined);
  }
}`,
      output: `
import { Orchestrator as Base, Outcome } from '@safecall/runtime';
export class PaymentOrchestrator extends Base<ChargeCommand, void> {
  protected override async executeInternal(opId: OpId, cmd: ChargeCommand): Promise<Outcome<void>> {
    return Outcome.ok(undefined);
  }
}`,
      errors: [{ messageId: 'notAsync', line: 4, column: 22, data: { orchestrator: 'PaymentOrchestrator' } }],
    },
    {
      name: 'a method that returns a promise chain keeps its Promise return type',
      code: `
import { Orchestrator, Outcome } from '@safecall/runtime';
class UploadOrchestrator extends Orchestrator<UploadCommand, { etag: string }> {
  executeInternal(opId: OpId, cmd: UploadCommand): Promise<Outcome<{ etag: string }>> {
    return this.s3.putObject(cmd).then((result) => Outcome.ok({ etag: result.ETag }));
  }
}`,
      output: `
import { Orchestrator, Outcome } from '@safecall/runtime';
class UploadOrchestrator extends Orchestrator<UploadCommand, { etag: string }> {
  async executeInternal(opId: OpId, cmd: UploadCommand): Promise<Outcome<{ etag: string }>> {
    return this.s3.putObject(cmd).then((result) => Outcome.ok({ etag: result.ETag }));
  }
}`,
      errors: [{ messageId: 'notAsync', line: 4, column: 3 }],
    },
    {
      name: 'an arrow-function property in a subclass of an abstract intermediate',
      code: `
import { Orchestrator } from '@safecall/runtime';
abstract class GatewayOrchestrator<C> extends Orchestrator<C, void> {}
const SmsOrchestrator = class extends GatewayOrchestrator<SmsCommand> {
  protected executeInternal = (opId: OpId, cmd: SmsCommand) => Outcome.ok(undefined);
};`,
      output: `
import { Orchestrator } from '@safecall/runtime';
abstract class GatewayOrchestrator<C> extends Orchestrator<C, void> {}
const SmsOrchestrator = class extends GatewayOrchestrator<SmsCommand> {
  protected executeInternal = async (opId: OpId, cmd: SmsCommand) => Outcome.ok(undefined);
};`,
      errors: [{ messageId: 'notAsync', line: 5, column: 13, data: { orchestrator: 'this orchestrator' } }],
    },
  ],
});

createTypedRuleTester(safecallModelFixtureDir).run('execute-must-be-async (typed)', rule, {
  valid: [],
  invalid: [
    {
      name: 'an orchestrator whose abstract base lives in another file',
      filename: 'app/file.ts',
      code: `
import { Outcome } from '../safecall';
import { GatewayOrchestrator } from './gateway-orchestrator';
import type { ChargeCommand } from './payment.command';
export class CardOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  readonly name = 'card';
  protected executeInternal(): Promise<Outcome<{ txId: string }>> {
    return Promise.resolve(Outcome.ok({ txId: 't' }));
  }
}`,
      output: `
import { Outcome } from '../safecall';
import { GatewayOrchestrator } from './gateway-orchestrator';
import type { ChargeCommand } from './payment.command';
export class CardOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  readonly name = 'card';
  protected async executeInternal(): Promise<Outcome<{ txId: string }>> {
    return Promise.resolve(Outcome.ok({ txId: 't' }));
  }
}`,
      errors: [{ messageId: 'notAsync', line: 7, column: 13 }],
    },
  ],
});
