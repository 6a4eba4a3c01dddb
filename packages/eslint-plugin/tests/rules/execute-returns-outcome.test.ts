import rule from '../../src/rules/execute-returns-outcome.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';
import { safecallModelFixtureDir } from './model-fixture.js';

const header = `import { Orchestrator, Outcome } from '@safecall/runtime';\n`;

createUntypedRuleTester().run('execute-returns-outcome', rule, {
  valid: [
    {
      name: 'every path returns an Outcome factory call',
      code: `${header}
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    try {
      const tx = await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey });
      return Outcome.ok({ txId: tx.id });
    } catch (e) {
      if (isTransient(e)) return Outcome.retry(String(e));
      return Outcome.fail('CARD_DECLINED', String(e));
    }
  }
}`,
    },
    {
      name: 'an Outcome stored in a variable and returned, and a result from a helper',
      code: `${header}
class MailOrchestrator extends Orchestrator<MailCommand, void> {
  protected async executeInternal(opId: OpId, cmd: MailCommand) {
    let outcome = Outcome.ok(undefined);
    if (cmd.to.length === 0) outcome = Outcome.fail('NO_RECIPIENT', 'no recipient');
    if (cmd.draft) return this.toOutcome(await this.mailer.send(cmd));
    return outcome;
  }
}`,
    },
    {
      name: 'an always-throwing end is not a missing return (no-throw-in-execute reports the throw)',
      code: `${header}
class SmsOrchestrator extends Orchestrator<SmsCommand, void> {
  protected async executeInternal(opId: OpId, cmd: SmsCommand) {
    switch (cmd.kind) {
      case 'otp': return Outcome.ok(undefined);
      default: throw new Error('unknown kind');
    }
  }
}`,
    },
    {
      name: 'returns inside nested callbacks belong to those callbacks',
      code: `${header}
class BatchOrchestrator extends Orchestrator<BatchCommand, number> {
  protected executeInternal = async (opId: OpId, cmd: BatchCommand) => {
    const sent = cmd.items.filter((item) => { return item.ready === true; });
    return Outcome.ok(sent.length);
  };
}`,
    },
    {
      name: 'an arrow body that is an Outcome, and a namespace-qualified Outcome',
      code: `
import * as sc from '@safecall/runtime';
class NoopOrchestrator extends sc.Orchestrator<NoopCommand, void> {
  protected executeInternal = async () => sc.Outcome.ok(undefined);
}`,
    },
    {
      name: 'a boolean-returning executeInternal outside an Orchestrator',
      code: `
class ReportJob extends Job {
  protected async executeInternal(): Promise<boolean> {
    if (this.rows.length === 0) return false;
  }
}`,
    },
  ],
  invalid: [
    {
      name: 'return true and return false',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    if (await this.gateway.charge(cmd)) return true;
    return false;
  }
}`,
      errors: [
        {
          messageId: 'notOutcome',
          line: 5,
          column: 41,
          data: { value: 'true' },
          suggestions: [
            {
              messageId: 'wrapInOk',
              data: { replacement: 'Outcome.ok(undefined)' },
              output: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    if (await this.gateway.charge(cmd)) return Outcome.ok(undefined);
    return false;
  }
}`,
            },
          ],
        },
        {
          messageId: 'notOutcome',
          line: 6,
          column: 5,
          data: { value: 'false' },
          suggestions: [
            {
              messageId: 'returnRetry',
              output: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    if (await this.gateway.charge(cmd)) return true;
    return Outcome.retry('executeInternal failed');
  }
}`,
            },
            {
              messageId: 'returnFail',
              output: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    if (await this.gateway.charge(cmd)) return true;
    return Outcome.fail('FAILED', 'executeInternal failed');
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a bare return, and an end that can be reached without returning',
      code: `${header}
class UploadOrchestrator extends Orchestrator<UploadCommand, void> {
  protected async executeInternal(opId: OpId, cmd: UploadCommand) {
    if (cmd.size === 0) return;
    await this.s3.putObject(cmd);
  }
}`,
      errors: [
        {
          messageId: 'notOutcome',
          line: 5,
          column: 25,
          data: { value: 'undefined' },
          suggestions: [
            {
              messageId: 'wrapInOk',
              output: `${header}
class UploadOrchestrator extends Orchestrator<UploadCommand, void> {
  protected async executeInternal(opId: OpId, cmd: UploadCommand) {
    if (cmd.size === 0) return Outcome.ok(undefined);
    await this.s3.putObject(cmd);
  }
}`,
            },
          ],
        },
        { messageId: 'missingReturn', line: 7, column: 3 },
      ],
    },
    {
      name: 'a raw value from an arrow body, with the Outcome import added by the suggestion',
      code: `
import { Orchestrator } from '@safecall/runtime';
class QuoteOrchestrator extends Orchestrator<QuoteCommand, number> {
  protected executeInternal = async (opId: OpId, cmd: QuoteCommand) => cmd.amount * 2;
}`,
      errors: [
        {
          messageId: 'notOutcome',
          line: 4,
          column: 72,
          data: { value: '`cmd.amount * 2`' },
          suggestions: [
            {
              messageId: 'wrapInOk',
              output: `
import { Orchestrator } from '@safecall/runtime';
import { Outcome } from '@safecall/runtime';
class QuoteOrchestrator extends Orchestrator<QuoteCommand, number> {
  protected executeInternal = async (opId: OpId, cmd: QuoteCommand) => Outcome.ok(cmd.amount * 2);
}`,
            },
          ],
        },
      ],
    },
  ],
});

createTypedRuleTester(safecallModelFixtureDir).run('execute-returns-outcome (typed)', rule, {
  valid: [
    {
      name: 'a variable or helper whose type is an Outcome',
      filename: 'app/file.ts',
      code: `
import { Orchestrator, Outcome, type OpId } from '../safecall';
import type { ChargeCommand } from './payment.command';
declare function toOutcome(value: unknown): Outcome<string>;
export class TypedOrchestrator extends Orchestrator<ChargeCommand, string> {
  readonly name = 'typed';
  protected async executeInternal(_opId: OpId, cmd: ChargeCommand) {
    const result = toOutcome(cmd);
    if (cmd.amount > 10) return result;
    return toOutcome(null);
  }
}`,
    },
  ],
  invalid: [
    {
      name: 'a raw provider response returned from an awaited call',
      filename: 'app/file.ts',
      code: `
import { Orchestrator, type OpId } from '../safecall';
import type { ChargeCommand } from './payment.command';
declare const gateway: { charge(amount: number): Promise<{ id: string; status: string }> };
export class TypedOrchestrator extends Orchestrator<ChargeCommand, string> {
  readonly name = 'typed';
  protected async executeInternal(_opId: OpId, cmd: ChargeCommand) {
    const charge = await gateway.charge(cmd.amount);
    return charge;
  }
}`,
      errors: [
        {
          messageId: 'notOutcome',
          line: 9,
          column: 5,
          data: { value: '`charge`' },
          suggestions: [
            {
              messageId: 'wrapInOk',
              output: `
import { Orchestrator, type OpId } from '../safecall';
import type { ChargeCommand } from './payment.command';
import { Outcome } from '@safecall/runtime';
declare const gateway: { charge(amount: number): Promise<{ id: string; status: string }> };
export class TypedOrchestrator extends Orchestrator<ChargeCommand, string> {
  readonly name = 'typed';
  protected async executeInternal(_opId: OpId, cmd: ChargeCommand) {
    const charge = await gateway.charge(cmd.amount);
    return Outcome.ok(charge);
  }
}`,
            },
          ],
        },
      ],
    },
  ],
});
