import rule from '../../src/rules/no-throw-in-execute.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';
import { safecallModelFixtureDir } from './model-fixture.js';

const header = `import { Orchestrator, Outcome } from '@safecall/runtime';\n`;

createUntypedRuleTester().run('no-throw-in-execute', rule, {
  valid: [
    {
      name: 'a throw caught inside executeInternal and turned into an Outcome',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    try {
      const tx = await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey });
      if (!tx.id) throw new Error('no transaction id');
      return Outcome.ok({ txId: tx.id });
    } catch (e) {
      return Outcome.retry(String(e));
    }
  }
}`,
    },
    {
      name: 'a throw inside a nested callback that is caught where it runs',
      code: `${header}
class UploadOrchestrator extends Orchestrator<UploadCommand, void> {
  protected async executeInternal(opId: OpId, cmd: UploadCommand) {
    try {
      cmd.parts.forEach((part) => { if (part.size === 0) throw new Error('empty part'); });
    } catch (e) {
      return Outcome.fail('EMPTY_PART', String(e));
    }
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'a throw in a nested function that runs later (a stream handler, a helper)',
      code: `${header}
class StreamOrchestrator extends Orchestrator<StreamCommand, void> {
  protected async executeInternal(opId: OpId, cmd: StreamCommand) {
    const parse = (line: string) => { if (!line) throw new Error('empty line'); return JSON.parse(line); };
    this.stream.on('error', (error: Error) => { throw error; });
    return Outcome.ok(this.lines.map((line) => safeParse(parse, line)));
  }
}`,
    },
    {
      name: 'a throw in another method of the orchestrator, and in executeInternal outside an Orchestrator',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  constructor(private readonly gateway: Gateway) {
    super({ name: 'payment' });
    if (!gateway) throw new TypeError('gateway is required');
  }
  protected async executeInternal() { return Outcome.ok(undefined); }
}
class LegacyTask extends Task {
  protected async executeInternal() { throw new Error('not supported'); }
}`,
    },
  ],
  invalid: [
    {
      name: 'a thrown domain error, suggested as Outcome.fail with a code from the error name',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    if (cmd.amount <= 0) throw new InvalidAmountError(\`amount \${cmd.amount}\`);
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'throwInExecute',
          line: 5,
          column: 26,
          suggestions: [
            {
              messageId: 'returnFail',
              data: { replacement: "Outcome.fail('INVALID_AMOUNT', `amount ${cmd.amount}`)" },
              output: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    if (cmd.amount <= 0) return Outcome.fail('INVALID_AMOUNT', \`amount \${cmd.amount}\`);
    return Outcome.ok(undefined);
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a rethrow from a catch clause, with the Outcome import added',
      code: `
import { Orchestrator as Base } from '@safecall/runtime';
class MailOrchestrator extends Base<MailCommand, void> {
  protected executeInternal = async (opId: OpId, cmd: MailCommand) => {
    try {
      await this.mailer.send(cmd);
    } catch (e) {
      throw e;
    }
  };
}`,
      errors: [
        {
          messageId: 'throwInExecute',
          line: 8,
          column: 7,
          suggestions: [
            {
              messageId: 'returnFail',
              output: `
import { Orchestrator as Base } from '@safecall/runtime';
import { Outcome } from '@safecall/runtime';
class MailOrchestrator extends Base<MailCommand, void> {
  protected executeInternal = async (opId: OpId, cmd: MailCommand) => {
    try {
      await this.mailer.send(cmd);
    } catch (e) {
      return Outcome.fail('FAILED', String(e));
    }
  };
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a throw in a callback that runs in place escapes too (no suggestion: a return would leave only the callback)',
      code: `${header}
class BatchOrchestrator extends Orchestrator<BatchCommand, void> {
  protected async executeInternal(opId: OpId, cmd: BatchCommand) {
    cmd.items.forEach((item) => {
      if (!item.sku) throw new Error('missing sku');
    });
    await new Promise((resolve, reject) => { if (!cmd.ready) throw new Error('not ready'); resolve(undefined); });
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        { messageId: 'throwInExecute', line: 6, column: 22, suggestions: [] },
        { messageId: 'throwInExecute', line: 8, column: 62, suggestions: [] },
      ],
    },
    {
      name: 'a throw in a finally block is not caught by its own try',
      code: `${header}
class LockOrchestrator extends Orchestrator<LockCommand, void> {
  protected async executeInternal(opId: OpId, cmd: LockCommand) {
    try {
      return Outcome.ok(undefined);
    } catch {
      return Outcome.retry('lock busy');
    } finally {
      if (!this.released) throw new LockLeakError('lock not released');
    }
  }
}`,
      errors: [
        {
          messageId: 'throwInExecute',
          line: 10,
          column: 27,
          suggestions: [
            {
              messageId: 'returnFail',
              output: `${header}
class LockOrchestrator extends Orchestrator<LockCommand, void> {
  protected async executeInternal(opId: OpId, cmd: LockCommand) {
    try {
      return Outcome.ok(undefined);
    } catch {
      return Outcome.retry('lock busy');
    } finally {
      if (!this.released) return Outcome.fail('LOCK_LEAK', 'lock not released');
    }
  }
}`,
            },
          ],
        },
      ],
    },
  ],
});

createTypedRuleTester(safecallModelFixtureDir).run('no-throw-in-execute (typed)', rule, {
  valid: [],
  invalid: [
    {
      name: 'an orchestrator through a project barrel and an intermediate in another file',
      filename: 'app/file.ts',
      code: `
import { Outcome, type OpId } from '../safecall';
import { GatewayOrchestrator } from './gateway-orchestrator';
import type { ChargeCommand } from './payment.command';
export class CardOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  readonly name = 'card';
  protected async executeInternal(_opId: OpId, cmd: ChargeCommand) {
    if (cmd.amount > 10_000) throw new RangeError('over the limit');
    return Outcome.ok({ txId: 't' });
  }
}`,
      errors: [
        {
          messageId: 'throwInExecute',
          line: 8,
          column: 30,
          suggestions: [
            {
              messageId: 'returnFail',
              output: `
import { Outcome, type OpId } from '../safecall';
import { GatewayOrchestrator } from './gateway-orchestrator';
import type { ChargeCommand } from './payment.command';
export class CardOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  readonly name = 'card';
  protected async executeInternal(_opId: OpId, cmd: ChargeCommand) {
    if (cmd.amount > 10_000) return Outcome.fail('FAILED', 'over the limit');
    return Outcome.ok({ txId: 't' });
  }
}`,
            },
          ],
        },
      ],
    },
  ],
});
