import rule from '../../src/rules/forward-idempotency-key.js';
import requireSdkIdempotencyKey from '../../src/rules/require-sdk-idempotency-key.js';
import path from 'node:path';
import { vi } from 'vitest';
import { createTypedRuleTester, createUntypedRuleTester, fixturesDir } from '../rule-tester.js';

const header = `import { Orchestrator, Outcome } from '@safecall/runtime';\n`;

createUntypedRuleTester().run('forward-idempotency-key', rule, {
  valid: [
    {
      name: 'the key passed to the gateway in its options (the pattern in DESIGN.md)',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const tx = await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey });
    return Outcome.ok({ txId: tx.id });
  }
}`,
    },
    {
      name: 'the key destructured from ctx and passed as a shorthand property, next to a call that does not need it',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const { idempotencyKey, signal } = ctx;
    const tx = await this.paymentGateway.charge({ amount: cmd.amount, idempotencyKey }, { signal });
    await this.receiptMailer.send(cmd.email, tx.id);
    return Outcome.ok({ txId: tx.id });
  }
}`,
    },
    {
      name: 'a local copy of the key, and a let given the key on one path',
      code: `${header}
class RefundOrchestrator extends Orchestrator<RefundCommand, void> {
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const key = ctx.idempotencyKey;
    let requestKey: string | undefined;
    if (cmd.partial) requestKey = \`\${key}-partial\`;
    await this.stripeClient.refunds.create({ charge: cmd.chargeId }, { idempotencyKey: requestKey ?? key });
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'a key made from opId in an Idempotency-Key header of a fetch POST, through a headers constant',
      code: `${header}
class ShipmentOrchestrator extends Orchestrator<ShipCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ShipCommand, ctx: ExecutionContext) {
    const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': \`ship-\${opId}\` };
    const response = await fetch('https://api.carrier.example/shipments', { method: 'POST', headers, body: JSON.stringify(cmd), signal: ctx.signal });
    return response.ok ? Outcome.ok(undefined) : Outcome.retry(\`carrier answered \${response.status}\`);
  }
}`,
    },
    {
      name: "the command's idemKey destructured in the parameter list, passed to axios",
      code: `${header}
import axios from 'axios';
class InventoryOrchestrator extends Orchestrator<ReserveCommand, void> {
  protected async executeInternal(opId: OpId, { idemKey, sku, quantity }: ReserveCommand) {
    await axios.post('https://inventory.example/reservations', { sku, quantity }, { headers: { 'Idempotency-Key': idemKey } });
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'the whole ctx handed to a helper function that makes the call',
      code: `${header}
import Stripe from 'stripe';
const stripe = new Stripe('sk_test');
async function chargeWithKey(cmd: ChargeCommand, ctx: ExecutionContext) {
  return stripe.paymentIntents.create({ amount: cmd.amount, currency: 'eur' }, { idempotencyKey: ctx.idempotencyKey });
}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const intent = await chargeWithKey({ ...cmd, amount: Math.round(cmd.amount * 100) }, ctx);
    return Outcome.ok({ txId: intent.id });
  }
}`,
    },
    {
      name: 'the whole command handed to the gateway (its idemKey travels with it)',
      code: `${header}
class NotifyOrchestrator extends Orchestrator<NotifyCommand, void> {
  protected async executeInternal(opId: OpId, cmd: NotifyCommand) {
    await this.notificationProvider.send(cmd);
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'a key per recipient, made from the key inside a callback',
      code: `${header}
class SmsOrchestrator extends Orchestrator<BroadcastCommand, void> {
  protected async executeInternal(opId: OpId, cmd: BroadcastCommand, context: ExecutionContext) {
    await Promise.all(cmd.recipients.map((to) => this.smsClient.messages.create({ to, body: cmd.text }, { idempotencyKey: \`\${context.idempotencyKey}:\${to}\` })));
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'an AWS command built with a key made from opId',
      code: `${header}
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
class UploadOrchestrator extends Orchestrator<UploadCommand, void> {
  private readonly s3 = new S3Client({});
  protected async executeInternal(opId: OpId, cmd: UploadCommand) {
    await this.s3.send(new PutObjectCommand({ Bucket: cmd.bucket, Key: \`uploads/\${opId}\`, Body: cmd.body }));
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'no external call at all (pure computation, logging the opId)',
      code: `${header}
class QuoteOrchestrator extends Orchestrator<QuoteCommand, { total: number }> {
  protected async executeInternal(opId: OpId, cmd: QuoteCommand, ctx: ExecutionContext) {
    ctx.logger.info('quoting', { opId });
    const total = cmd.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
    return Outcome.ok({ total: this.pricing.round(total) });
  }
}`,
    },
    {
      name: 'only reads: a status lookup on the gateway and a GET request',
      code: `${header}
class StatusOrchestrator extends Orchestrator<StatusCommand, { status: string }> {
  protected async executeInternal(opId: OpId, cmd: StatusCommand) {
    const status = await this.paymentGateway.getStatus(cmd.paymentId);
    const response = await fetch(\`https://status.example/orders/\${cmd.orderId}\`);
    return Outcome.ok({ status: response.ok ? status : 'unknown' });
  }
}`,
    },
    {
      // A known limit, stated here so a change to it is seen: the typed case below reports this shape.
      name: 'without types, a function given the key is trusted to pass it on (with types it is followed)',
      code: `${header}
import { chargeKey } from './keys';
class RefundOrchestrator extends Orchestrator<RefundCommand, void> {
  protected async executeInternal(opId: OpId, cmd: RefundCommand) {
    const key = chargeKey(opId);
    await this.refundGateway.refund(cmd.chargeId);
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'optional chaining, the context\'s own helpers, and a key passed as ctx.opId',
      code: `${header}
class PushOrchestrator extends Orchestrator<PushCommand, void> {
  protected async executeInternal(opId: OpId, cmd: PushCommand, ctx: ExecutionContext) {
    ctx.signal.throwIfAborted();
    await this.pushProvider?.send({ token: cmd.token, collapseKey: ctx.opId });
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'the keyed gateway call made inside Outcome.ok(...)',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    return Outcome.ok(await this.gateway.charge(cmd.orderId, cmd.amount, { idempotencyKey: ctx.idempotencyKey }));
  }
}`,
    },
    {
      name: 'a client made for this operation with the key',
      code: `${header}
import { payments } from '@acme/payments';
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const client = new payments.Client({ apiKey: this.apiKey, idempotencyKey: ctx.idempotencyKey });
    await client.charge(cmd.amount);
    return Outcome.ok(undefined);
  }
}`,
    },
    {
      name: 'a method named executeInternal in a class that is not an Orchestrator',
      code: `${header}
class LegacyJob extends Job {
  protected async executeInternal(opId: string, cmd: ChargeCommand) {
    await this.gateway.charge(cmd.orderId, cmd.amount);
  }
}`,
    },
  ],
  invalid: [
    {
      name: 'a gateway charge without the key, while the opId only goes to the logger',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    ctx.logger.info(\`charging \${String(opId)}\`, { opId, attempt: ctx.attempt });
    const tx = await this.gateway.charge(cmd.orderId, cmd.amount);
    return Outcome.ok({ txId: tx.id });
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 4,
          column: 19,
          data: { orchestrator: 'PaymentOrchestrator', calls: "'gateway.charge'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'a Stripe create and a fetch POST that get only the abort signal from the context',
      code: `${header}
import Stripe from 'stripe';
const stripe = new Stripe('sk_test');
class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  async executeInternal(opId: OpId, cmd: ChargeCommand, context: ExecutionContext) {
    const intent = await stripe.paymentIntents.create({ amount: cmd.amount, currency: 'eur' });
    await fetch('https://ledger.example/entries', { method: 'POST', body: JSON.stringify({ intent: intent.id }), signal: context.signal });
    return Outcome.ok({ txId: intent.id });
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 6,
          column: 9,
          data: {
            orchestrator: 'PaymentOrchestrator',
            calls: "'stripe.paymentIntents.create', 'fetch'",
            key: 'context.idempotencyKey',
          },
        },
      ],
    },
    {
      name: 'the key read into a variable that only the log line uses',
      code: `${header}
class PayoutOrchestrator extends Orchestrator<PayoutCommand, void> {
  protected async executeInternal(opId: OpId, cmd: PayoutCommand, { idempotencyKey, logger }: ExecutionContext) {
    const key = idempotencyKey;
    logger.info(\`payout \${key}\`);
    await this.payoutApi.transfers.create({ amount: cmd.amount, destination: cmd.account });
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 4,
          column: 19,
          data: { orchestrator: 'PayoutOrchestrator', calls: "'payoutApi.transfers.create'", key: 'idempotencyKey' },
        },
      ],
    },
    {
      name: 'an arrow-function executeInternal on an aliased base, a mailer reached through a local copy',
      code: `
import { Orchestrator as Base, Outcome } from '@safecall/runtime';
class MailOrchestrator extends Base<MailCommand, void> {
  protected executeInternal = async (opId: OpId, cmd: MailCommand) => {
    const transport = this.mail;
    await transport.sendMail({ to: cmd.to, subject: cmd.subject, messageId: cmd.orderId });
    return Outcome.ok(undefined);
  };
  constructor(private readonly mail: MailTransporter) {
    super({ name: 'mail' });
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 4,
          column: 13,
          data: { orchestrator: 'MailOrchestrator', calls: "'transport.sendMail'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'a port field known by its type annotation, with the command spread into a fresh object without its key',
      code: `${header}
class CaptureOrchestrator extends Orchestrator<CaptureCommand, void> {
  private readonly payments: PaymentPort;
  protected async executeInternal(opId: OpId, cmd: CaptureCommand, ctx: ExecutionContext) {
    const { idemKey, ...details } = cmd;
    await this.payments.capture(details.paymentId, { amount: details.amount, signal: ctx.signal });
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 5,
          column: 19,
          data: { orchestrator: 'CaptureOrchestrator', calls: "'payments.capture'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'an optional call on a provider field, next to the context\'s own helper',
      code: `${header}
class PushOrchestrator extends Orchestrator<PushCommand, void> {
  protected async executeInternal(opId: OpId, cmd: PushCommand, ctx: ExecutionContext) {
    ctx.signal.throwIfAborted();
    await this.pushProvider?.send({ token: cmd.token, title: cmd.title });
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 4,
          column: 19,
          data: { orchestrator: 'PushOrchestrator', calls: "'pushProvider.send'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'the key only in an error and a URL built for a GET',
      code: `${header}
class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const statusUrl = new URL(\`https://psp.example/status/\${opId}\`);
    const result = await this.pspClient.charge(cmd.amount);
    if (!result.ok) return Outcome.fail('DECLINED', String(new PaymentError(\`charge \${opId} declined\`)));
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 4,
          column: 19,
          data: { orchestrator: 'PaymentOrchestrator', calls: "'pspClient.charge'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'a port imported from a *.gateway module, whatever its name',
      code: `${header}
import type { Payments } from './payments.gateway';
class CaptureOrchestrator extends Orchestrator<CaptureCommand, void> {
  constructor(private readonly payments: Payments) {
    super({ name: 'capture' });
  }
  protected async executeInternal(opId: OpId, cmd: CaptureCommand, ctx: ExecutionContext) {
    await this.payments.capture(cmd.paymentId);
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 8,
          column: 19,
          data: { orchestrator: 'CaptureOrchestrator', calls: "'payments.capture'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'more than three calls are counted, not listed',
      code: `${header}
class FanOutOrchestrator extends Orchestrator<FanOutCommand, void> {
  protected async executeInternal(opId: OpId, cmd: FanOutCommand, ctx: ExecutionContext) {
    await this.smsSender.send(cmd.phone, cmd.text);
    await this.pushNotifier.notify(cmd.device, cmd.text);
    await this.emailProvider.deliver(cmd.email, cmd.text);
    await this.webhookClient.post(cmd.url, cmd.text);
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 4,
          column: 19,
          data: {
            orchestrator: 'FanOutOrchestrator',
            calls: "'smsSender.send', 'pushNotifier.notify', 'emailProvider.deliver' and 1 more",
            key: 'ctx.idempotencyKey',
          },
        },
      ],
    },
  ],
});

// Typed cases link against the real Stripe types and the helpers in fixtures/forward-idempotency-key/,
// a project of its own so the checker loads only what these cases import.
// The first typed case type-checks Stripe's declarations cold, which can pass the default 30 s on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });
const typedFixtureDir = path.join(fixturesDir, 'forward-idempotency-key');
const filename = 'case.ts';
const typedHeader = `import { Orchestrator, Outcome, type OpId, type ExecutionContext, type Command } from '@safecall/runtime';
import Stripe from 'stripe';
import { ReceiptService, chargeKey, createPaymentPort } from './receipts';
const stripe = new Stripe('sk_test');
interface RefundCommand extends Command { readonly chargeId: string; readonly orderId: string; readonly amount: number }
`;

createTypedRuleTester(typedFixtureDir).run('forward-idempotency-key (typed)', rule, {
  valid: [
    {
      name: "a Stripe create without a key is require-sdk-idempotency-key's to report, at the call",
      filename,
      code: `${typedHeader}
export class RefundOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const refund = await stripe.refunds.create({ charge: cmd.chargeId });
    return Outcome.ok({ id: refund.id });
  }
}`,
    },
    {
      name: 'a service that reaches Stripe, given the key; a formatting call that reaches nothing',
      filename,
      code: `${typedHeader}
export class RefundOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  private readonly receipts = new ReceiptService();
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const label = this.receipts.format(cmd.orderId, cmd.amount);
    const id = await this.receipts.refund(cmd.chargeId, { idempotencyKey: ctx.idempotencyKey });
    return Outcome.ok({ id: \`\${label}:\${id}\` });
  }
}`,
    },
    {
      name: 'an async helper declared in executeInternal, given the key, that calls a port with no network behind it in the program',
      filename,
      code: `${typedHeader}
export class CaptureOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  private readonly payments = createPaymentPort();
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const capture = async (key: string) => this.payments.capture(cmd.chargeId, { idempotencyKey: key });
    const result = await capture(ctx.idempotencyKey);
    return Outcome.ok({ id: result.id });
  }
}`,
    },
    {
      name: 'a read through a port known only to the checker',
      filename,
      code: `${typedHeader}
export class RefundOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  private readonly payments = createPaymentPort();
  protected async executeInternal(opId: OpId, cmd: RefundCommand) {
    return Outcome.ok({ id: await this.payments.getStatus(cmd.chargeId) });
  }
}`,
    },
  ],
  invalid: [
    {
      name: 'a service whose name says nothing, followed to the Stripe refund it creates',
      filename,
      code: `${typedHeader}
export class RefundOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  private readonly receipts = new ReceiptService();
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    return Outcome.ok({ id: await this.receipts.refund(cmd.chargeId) });
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 9,
          column: 19,
          data: { orchestrator: 'RefundOrchestrator', calls: "'receipts.refund → stripe.refunds.create'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'a key made by a function of the program and hashed by a library, then only logged: neither call hands it on',
      filename,
      code: `${typedHeader}
import { createHash } from 'node:crypto';
export class RefundOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  private readonly receipts = new ReceiptService();
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const key = chargeKey(opId);
    const digest = createHash('sha256').update(key).digest('hex');
    ctx.logger.info('refunding', { digest });
    return Outcome.ok({ id: await this.receipts.refund(cmd.chargeId) });
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 10,
          column: 19,
          data: { orchestrator: 'RefundOrchestrator', calls: "'receipts.refund → stripe.refunds.create'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
    {
      name: 'a port whose type only the checker knows (a field made by a factory)',
      filename,
      code: `${typedHeader}
export class CaptureOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  private readonly payments = createPaymentPort();
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const capture = await this.payments.capture(cmd.chargeId);
    return Outcome.ok({ id: capture.id });
  }
}`,
      errors: [
        {
          messageId: 'keyNotForwarded',
          line: 9,
          column: 19,
          data: { orchestrator: 'CaptureOrchestrator', calls: "'payments.capture'", key: 'ctx.idempotencyKey' },
        },
      ],
    },
  ],
});

// The other half of the split: the keyless Stripe create above is reported once, by require-sdk-idempotency-key.
createTypedRuleTester(typedFixtureDir).run('forward-idempotency-key leaves SDK calls with a key slot to require-sdk-idempotency-key', requireSdkIdempotencyKey, {
  valid: [],
  invalid: [
    {
      filename,
      code: `${typedHeader}
export class RefundOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const refund = await stripe.refunds.create({ charge: cmd.chargeId });
    return Outcome.ok({ id: refund.id });
  }
}`,
      errors: [{ messageId: 'missingKey', line: 9, column: 26, suggestions: [{ messageId: 'addKey', output: `${typedHeader}
export class RefundOrchestrator extends Orchestrator<RefundCommand, { id: string }> {
  protected async executeInternal(opId: OpId, cmd: RefundCommand, ctx: ExecutionContext) {
    const refund = await stripe.refunds.create({ charge: cmd.chargeId }, { idempotencyKey });
    return Outcome.ok({ id: refund.id });
  }
}` }] }],
    },
  ],
});
