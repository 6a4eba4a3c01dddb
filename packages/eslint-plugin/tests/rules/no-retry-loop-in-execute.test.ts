import rule from '../../src/rules/no-retry-loop-in-execute.js';
import { createUntypedRuleTester } from '../rule-tester.js';

const header = `import { Orchestrator, Outcome } from '@safecall/runtime';\n`;

createUntypedRuleTester().run('no-retry-loop-in-execute', rule, {
  valid: [
    {
      name: 'one call, a transient failure returned as Retry with a delay hint',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    try {
      const tx = await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey });
      return Outcome.ok({ txId: tx.id });
    } catch (e) {
      if (isRateLimited(e)) return Outcome.retry('rate limited', { afterMs: retryAfter(e) });
      return Outcome.fail('CARD_DECLINED', String(e));
    }
  }
}`,
    },
    {
      name: 'a loop over the items of a batch that records each failure',
      code: `${header}
class NotifyOrchestrator extends Orchestrator<NotifyCommand, { failed: string[] }> {
  protected async executeInternal(opId: OpId, cmd: NotifyCommand, ctx: ExecutionContext) {
    const failed: string[] = [];
    for (const recipient of cmd.recipients) {
      try {
        await this.sms.send(recipient, cmd.text, { idempotencyKey: \`\${ctx.idempotencyKey}:\${recipient}\` });
      } catch {
        failed.push(recipient);
      }
    }
    return Outcome.ok({ failed });
  }
}`,
    },
    {
      name: 'a pagination loop whose catch leaves the loop',
      code: `${header}
class SyncOrchestrator extends Orchestrator<SyncCommand, number> {
  protected async executeInternal(opId: OpId, cmd: SyncCommand) {
    let cursor: string | undefined = cmd.from;
    let count = 0;
    while (cursor) {
      try {
        const page = await this.api.list({ cursor });
        count += page.items.length;
        cursor = page.next;
      } catch (e) {
        return Outcome.retry(String(e));
      }
    }
    return Outcome.ok(count);
  }
}`,
    },
    {
      name: 'retry loops and sleeps outside executeInternal are other rules’ business',
      code: `${header}
import pRetry from 'p-retry';
export async function warmCache(client: Client) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try { return await client.ping(); } catch { await sleep(100 * 2 ** attempt); }
  }
  return pRetry(() => client.ping());
}
class Poller { async executeInternal() { while (true) { try { await this.poll(); } catch {} await sleep(1000); } } }`,
    },
    {
      name: 'reading the response stream until it is done is not polling',
      code: `${header}
class DownloadOrchestrator extends Orchestrator<DownloadCommand, number> {
  protected async executeInternal(opId: OpId, cmd: DownloadCommand) {
    const response = await fetch(cmd.url);
    const reader = response.body!.getReader();
    let size = 0;
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
    }
    return Outcome.ok(size);
  }
}`,
    },
    {
      name: 'a timer that is not awaited, and a delay operator that is not a sleep',
      code: `${header}
class MetricsOrchestrator extends Orchestrator<MetricsCommand, void> {
  protected async executeInternal(opId: OpId, cmd: MetricsCommand) {
    setTimeout(() => this.flush(), 1000);
    const schedule = delay(cmd.window);
    return Outcome.ok(undefined);
  }
}`,
    },
  ],
  invalid: [
    {
      name: 'a counted retry loop with backoff',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const tx = await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey });
        return Outcome.ok({ txId: tx.id });
      } catch (e) {
        await sleep(2 ** attempt * 100);
      }
    }
    return Outcome.fail('GATEWAY_DOWN', 'three attempts failed');
  }
}`,
      errors: [{ messageId: 'retryLoop', line: 5, column: 5 }],
    },
    {
      name: 'while (true) with break on success, a do-while, and a for-of over delays',
      code: `${header}
class UploadOrchestrator extends Orchestrator<UploadCommand, void> {
  protected executeInternal = async (opId: OpId, cmd: UploadCommand) => {
    while (true) {
      try { await this.s3.putObject(cmd); break; } catch (e) { this.log.warn(e); }
    }
    let tries = 0;
    do {
      try { await this.cdn.purge(cmd.key); tries = 99; } catch { tries++; }
    } while (tries < 3);
    for (const ms of [100, 400, 1600]) {
      try { return Outcome.ok(await this.mail.send(cmd)); } catch { await new Promise((resolve) => setTimeout(resolve, ms)); }
    }
    return Outcome.retry('mail down');
  };
}`,
      errors: [
        { messageId: 'retryLoop', line: 5, column: 5 },
        { messageId: 'retryLoop', line: 9, column: 5 },
        { messageId: 'retryLoop', line: 12, column: 5 },
      ],
    },
    {
      name: 'a lone sleep, a timers/promises sleep and a retry library',
      code: `${header}
import { setTimeout as wait } from 'node:timers/promises';
import pRetry from 'p-retry';
import { backOff } from 'exponential-backoff';
class SmsOrchestrator extends Orchestrator<SmsCommand, void> {
  protected async executeInternal(opId: OpId, cmd: SmsCommand, ctx: ExecutionContext) {
    await this.sleep(500);
    await wait(250);
    await pRetry(() => this.twilio.messages.create({ to: cmd.to, body: cmd.text }), { retries: 5 });
    await backOff(() => this.push.send(cmd));
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        { messageId: 'sleep', line: 8, column: 11, data: { name: 'this.sleep' } },
        { messageId: 'sleep', line: 9, column: 11, data: { name: 'wait' } },
        { messageId: 'retryLibrary', line: 10, column: 11, data: { name: 'pRetry', module: 'p-retry' } },
        { messageId: 'retryLibrary', line: 11, column: 11, data: { name: 'backOff', module: 'exponential-backoff' } },
      ],
    },
    {
      name: 'a status check that goes round on 5xx, and polling a provider with a sleep (reported once, as the loop)',
      code: `${header}
class ShipmentOrchestrator extends Orchestrator<ShipCommand, string> {
  protected async executeInternal(opId: OpId, cmd: ShipCommand, ctx: ExecutionContext) {
    for (let i = 0; i < 3; i++) {
      const res = await this.http.post('/shipments', cmd, { headers: { 'Idempotency-Key': ctx.idempotencyKey } });
      if (res.status >= 500) continue;
      let state = res.data.state;
      while (state !== 'ready') {
        await sleep(1000);
        state = (await this.http.get(\`/shipments/\${res.data.id}\`)).data.state;
      }
      return Outcome.ok(res.data.id);
    }
    return Outcome.retry('shipper unavailable');
  }
}`,
      errors: [
        { messageId: 'retryLoop', line: 5, column: 5 },
        { messageId: 'retryLoop', line: 9, column: 7 },
      ],
    },
    {
      name: 'a recursive retry helper defined inside executeInternal',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const attempt = async (left: number): Promise<{ id: string }> => {
      try {
        return await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey });
      } catch (e) {
        if (left === 0) throw e;
        await sleep(100);
        return attempt(left - 1);
      }
    };
    try {
      return Outcome.ok({ txId: (await attempt(3)).id });
    } catch (e) {
      return Outcome.retry(String(e));
    }
  }
}`,
      errors: [{ messageId: 'retryRecursion', line: 5, column: 11, data: { name: 'attempt' } }],
    },
    {
      name: 'a pause between the items of a batch is a sleep, not a retry loop',
      code: `${header}
class NotifyOrchestrator extends Orchestrator<NotifyCommand, void> {
  protected async executeInternal(opId: OpId, cmd: NotifyCommand, ctx: ExecutionContext) {
    for (const recipient of cmd.recipients) {
      await this.sms.send(recipient, cmd.text, { idempotencyKey: \`\${ctx.idempotencyKey}:\${recipient}\` });
      await sleep(100);
    }
    return Outcome.ok(undefined);
  }
}`,
      errors: [{ messageId: 'sleep', line: 7, column: 13, data: { name: 'sleep' } }],
    },
    {
      name: 'a hand-rolled retry helper from the same file, called inside executeInternal',
      code: `${header}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function withRetry<T>(operation: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(200 * attempt);
    }
  }
}
const format = async <T>(make: () => Promise<T>) => String(await make());
class PushOrchestrator extends Orchestrator<PushCommand, string> {
  protected async executeInternal(opId: OpId, cmd: PushCommand, ctx: ExecutionContext) {
    const id = await withRetry(() => this.push.send(cmd.token, cmd.body, { collapseKey: ctx.idempotencyKey }));
    return Outcome.ok(await format(async () => id));
  }
}`,
      errors: [{ messageId: 'retryHelper', line: 17, column: 22, data: { name: 'withRetry' } }],
    },
    {
      name: 'a configured sleep function',
      code: `${header}
class PushOrchestrator extends Orchestrator<PushCommand, void> {
  protected async executeInternal() {
    await holdOn(1000);
    return Outcome.ok(undefined);
  }
}`,
      options: [{ sleepFunctions: ['holdOn'] }],
      errors: [{ messageId: 'sleep', line: 5, column: 11, data: { name: 'holdOn' } }],
    },
  ],
});
