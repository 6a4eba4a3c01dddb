import { readFileSync } from 'node:fs';
import path from 'node:path';
import rule from '../../src/rules/no-external-call-in-finalizer.js';
import { createTypedRuleTester, createUntypedRuleTester, fixturesDir } from '../rule-tester.js';

const where = (finalizer: string, method: string) => ({ finalizer, method });

createUntypedRuleTester().run('no-external-call-in-finalizer', rule, {
  valid: [
    // The finalize hook's job: DB writes through tx (knex), an outbox row, logging, a webhook signature check.
    `
import { Finalizer, type FinalizeRecord } from '@safecall/runtime';
import Stripe from 'stripe';
import type { Knex } from 'knex';
const stripe = new Stripe(process.env.STRIPE_KEY!);
export class PaymentFinalizer extends Finalizer<any, Knex.Transaction> {
  constructor(private readonly logger: { info(message: string, fields: object): void }) {
    super();
  }
  async finalize(tx: Knex.Transaction, record: FinalizeRecord<any, any>) {
    if (record.outcome.kind !== 'ok') return;
    const event = stripe.webhooks.constructEvent(record.command.payload, record.command.signature, 'whsec');
    await tx('orders').where({ id: record.command.orderId }).update({ state: 'PAID' });
    await tx('outbox').insert({ topic: 'receipt.send', payload: JSON.stringify({ event: event.id }) });
    this.logger.info('order paid', { opId: record.opId });
    console.log('finalized', record.opId);
  }
}`,
    // Prisma and Kysely transactions, better-sqlite3 (SqliteStore) statements, a helper of the Finalizer itself.
    `
import { Finalizer as BaseFinalizer } from '@safecall/runtime';
export class UploadFinalizer extends BaseFinalizer<any, any> {
  async finalize(tx: any, record: any) {
    await tx.upload.update({ where: { id: record.command.uploadId }, data: { state: record.state } });
    await tx.insertInto('upload_events').values({ op_id: record.opId }).execute();
    tx.prepare('UPDATE uploads SET state = ? WHERE id = ?').run(record.state, record.command.uploadId);
    await this.recordAudit(tx, record.opId);
  }
  private async recordAudit(tx: any, opId: string) {
    await tx.audit.create({ data: { opId } });
  }
}`,
    // Classes named *Finalizer that do not extend the runtime's Finalizer run in no finalize transaction.
    `
import axios from 'axios';
import { Finalizer } from './local-finalizer';
export class ReportFinalizer {
  async finalize() {
    await axios.post('https://reports.example.com/close');
  }
}
export class ExportFinalizer extends Finalizer {
  async finalize() {
    await fetch('https://export.example.com/done', { method: 'POST' });
  }
}`,
    // Orchestrators and Reapers call providers (a Reaper's reconcile asks the gateway); only Finalizers may not.
    `
import { Orchestrator, Reaper, Outcome } from '@safecall/runtime';
import Stripe from 'stripe';
interface PaymentGateway { findCharge(key: string): Promise<{ id: string } | undefined> }
export class PaymentOrchestrator extends Orchestrator<any, { id: string }> {
  constructor(private readonly stripe: Stripe) { super({ name: 'payment' }); }
  protected async executeInternal(opId: any, cmd: any, ctx: any) {
    const charge = await this.stripe.paymentIntents.create({ amount: cmd.amount, currency: 'eur' }, { idempotencyKey: ctx.idempotencyKey });
    return Outcome.ok({ id: charge.id });
  }
}
export class PaymentReaper extends Reaper<PaymentOrchestrator> {
  constructor(private readonly gateway: PaymentGateway) { super(); }
  async reconcile(request: any) {
    const charge = await this.gateway.findCharge(request.idempotencyKey);
    return charge ? Outcome.ok(charge) : undefined;
  }
}`,
    // The constructor and field initialisers run when the Finalizer is built, not in the transaction.
    `
import { Finalizer } from '@safecall/runtime';
import Stripe from 'stripe';
export class WarmFinalizer extends Finalizer<any> {
  private readonly ready = fetch('https://status.example.com/ping');
  constructor(private readonly stripe: Stripe) {
    super();
    void this.stripe.balance.retrieve();
  }
  finalize() {}
}`,
    // Only a field's type makes a port, not its name: PaymentGatewayConfig is data, dbClient/gateway hold a database.
    `
import { Finalizer } from '@safecall/runtime';
import { PrismaClient } from '@prisma/client';
interface PaymentGatewayConfig { get(key: string): string }
export class ConfigFinalizer extends Finalizer<any> {
  constructor(private readonly config: PaymentGatewayConfig, private readonly dbClient: PrismaClient, private readonly gateway: PrismaClient) { super(); }
  async finalize(tx: any) {
    await tx.settings.update({ data: { currency: this.config.get('currency') } });
    await this.dbClient.$executeRaw\`SELECT 1\`;
    await this.gateway.order.count();
  }
}`,
    {
      code: `
import { Finalizer } from '@safecall/runtime';
import { Mailer } from './mail.gateway.js';
interface PaymentGateway { refund(id: string): Promise<void> }
export class RefundFinalizer extends Finalizer<any> {
  private readonly mailer = new Mailer();
  constructor(private readonly gateway: PaymentGateway) { super(); }
  async finalize(tx: any, record: any) {
    await this.gateway.refund(record.command.chargeId);
    await this.mailer.deliver(record.command.email, 'Refunded');
  }
}`,
      options: [{ gatewayWords: [], gatewayFileSuffixes: [] }],
    },
  ],
  invalid: [
    {
      // Provider SDKs, fetch and axios in finalize, the runtime's Finalizer under an alias.
      code: `
import { Finalizer as BaseFinalizer, type FinalizeRecord } from '@safecall/runtime';
import Stripe from 'stripe';
import axios from 'axios';
export class PaymentFinalizer extends BaseFinalizer<any, any> {
  constructor(private readonly stripe: Stripe) { super(); }
  async finalize(tx: any, record: FinalizeRecord<any, any>) {
    await tx.order.update({ where: { id: record.command.orderId }, data: { state: record.state } });
    await this.stripe.paymentIntents.capture(record.command.paymentIntentId);
    await fetch('https://hooks.example.com/paid', { method: 'POST' });
    await axios.post('https://crm.example.com/orders', { id: record.command.orderId });
  }
}`,
      errors: [
        {
          messageId: 'externalCall',
          line: 9,
          column: 11,
          data: { ...where('PaymentFinalizer', 'finalize'), callee: 'stripe.paymentIntents.capture', packageName: 'stripe' },
        },
        { messageId: 'externalCall', line: 10, column: 11, data: { ...where('PaymentFinalizer', 'finalize'), callee: 'fetch', packageName: 'fetch' } },
        { messageId: 'externalCall', line: 11, column: 11, data: { ...where('PaymentFinalizer', 'finalize'), callee: 'axios.post', packageName: 'axios' } },
      ],
    },
    {
      // Gateway ports held in fields: by type name, by new, by the module they come from; in helpers and arrow fields.
      code: `
import { Finalizer } from '@safecall/runtime';
import { SmsClient } from './sms.gateway.js';
import * as mail from './mail.gateway.js';
interface PaymentGateway { refunds: { create(id: string): Promise<void> } }
class EmailGateway { async send(to: string, text: string) {} }
export class SignupFinalizer extends Finalizer<any> {
  private readonly email = new EmailGateway();
  private sms: SmsClient;
  constructor(private readonly gateway: PaymentGateway | undefined, private readonly mailer: mail.Transport, sms: SmsClient) {
    super();
    this.sms = sms;
  }
  async finalize(tx: any, record: any) {
    await tx.user.update({ where: { id: record.command.userId }, data: { active: true } });
    await this.welcome(record.command.email);
    await this.gateway?.refunds.create(record.command.chargeId);
  }
  private async welcome(to: string) {
    await this.email.send(to, 'Welcome!');
    await this.mailer.send(to);
  }
  private readonly text = async (to: string) => this.sms.deliver(to, 'Welcome!');
}`,
      errors: [
        { messageId: 'gatewayCall', line: 17, column: 11, data: { ...where('SignupFinalizer', 'finalize'), callee: 'gateway.refunds.create', gateway: 'PaymentGateway' } },
        { messageId: 'gatewayCall', line: 20, column: 11, data: { ...where('SignupFinalizer', 'welcome'), callee: 'email.send', gateway: 'EmailGateway' } },
        { messageId: 'gatewayCall', line: 21, column: 11, data: { ...where('SignupFinalizer', 'welcome'), callee: 'mailer.send', gateway: 'Transport' } },
        { messageId: 'gatewayCall', line: 23, column: 49, data: { ...where('SignupFinalizer', 'text'), callee: 'sms.deliver', gateway: 'SmsClient' } },
      ],
    },
    {
      // A namespace import through an abstract intermediate; deferring with a timer still sends on every re-finalize.
      code: `
import * as safecall from '@safecall/runtime';
import twilio from 'twilio';
const client = twilio('sid', 'token');
abstract class NotifyingFinalizer<O extends safecall.AnyOrchestrator> extends safecall.Finalizer<O> {}
export class OrderFinalizer extends NotifyingFinalizer<any> {
  finalize(tx: any, record: any) {
    tx.prepare('UPDATE orders SET state = ?').run(record.state);
    setTimeout(() => client.messages.create({ to: record.command.phone, from: '+15550100', body: 'Paid' }), 0);
  }
}`,
      errors: [
        {
          messageId: 'externalCall',
          line: 9,
          column: 22,
          data: { ...where('OrderFinalizer', 'finalize'), callee: 'client.messages.create', packageName: 'twilio' },
        },
      ],
    },
    {
      // A project's own runtime module and base name, and ports named *Port.
      code: `
import { DomainFinalizer } from '@acme/safecall';
interface InventoryPort { release(sku: string): Promise<void> }
export class ReservationFinalizer extends DomainFinalizer<any> {
  constructor(private readonly inventory: InventoryPort) { super(); }
  async finalize(tx: any, record: any) {
    await this.inventory.release(record.command.sku);
  }
}`,
      options: [{ runtimeModules: ['@acme/safecall'], finalizerBases: ['DomainFinalizer'], gatewayWords: ['port'] }],
      errors: [
        { messageId: 'gatewayCall', line: 7, column: 11, data: { ...where('ReservationFinalizer', 'finalize'), callee: 'inventory.release', gateway: 'InventoryPort' } },
      ],
    },
  ],
});

// Typed cases follow calls into tests/fixtures/no-external-call-in-finalizer/*.ts.
const filename = 'no-external-call-in-finalizer/case.ts';
const setup = `
import { Finalizer, type FinalizeRecord } from '@safecall/runtime';
import type { Knex } from 'knex';
import { DomainFinalizer } from './safecall';
import { GatewayAwareFinalizer } from './gateway-aware.finalizer';
import { SmsNotifier, ReceiptService, type Notifier } from './notifier';
import type { ChargeSummary, PaymentGateway } from './payment.gateway';
import { WelcomeService } from './welcome';
import { Outbox, OrderRepository } from './outbox';
import { stripe } from './clients';
import type { ChargeCommand, PaymentOrchestrator } from './payment.orchestrator';
type PaymentRecord = FinalizeRecord<ChargeCommand, { chargeId: string }>;
`;
const setupLines = setup.split('\n').length - 1;

createTypedRuleTester().run('no-external-call-in-finalizer (typed)', rule, {
  valid: [
    {
      // Repository writes and an outbox row through tx, inherited helpers (checked in their own file), logging,
      // data from a gateway module.
      filename,
      code: `${setup}
export class PaymentFinalizer extends GatewayAwareFinalizer {
  private readonly outbox = new Outbox();
  private readonly orders = new OrderRepository();
  async finalize(tx: Knex.Transaction, record: PaymentRecord) {
    if (record.outcome.kind !== 'ok') return;
    await this.orders.markPaid(tx, record.command.orderId, record.outcome.value.chargeId);
    await this.outbox.enqueue(tx, 'receipt.send', { orderId: record.command.orderId });
    await this.audit(tx, 'paid');
    await this.announce('order paid');
    console.info('finalized', record.opId);
  }
  describe(summary: ChargeSummary) {
    return summary.describe();
  }
}`,
    },
    {
      // A chain longer than maxDepth is not followed to its end.
      filename,
      code: `${setup}
export class ReceiptFinalizer extends Finalizer<PaymentOrchestrator, Knex.Transaction> {
  constructor(private readonly receipts: ReceiptService) { super(); }
  async finalize(tx: Knex.Transaction, record: PaymentRecord) {
    await this.receipts.sendReceipt(record.command.customerPhone, record.command.amount);
  }
}`,
      options: [{ maxDepth: 2 }],
    },
  ],
  invalid: [
    {
      // Through a class, an interface to its implementation, and a service: the chain starts at the Finalizer's method.
      filename,
      code: `${setup}
export class ReceiptFinalizer extends Finalizer<PaymentOrchestrator, Knex.Transaction> {
  constructor(private readonly sms: SmsNotifier, private readonly notifier: Notifier, private readonly receipts: ReceiptService) { super(); }
  async finalize(tx: Knex.Transaction, record: PaymentRecord) {
    await this.sms.send(record.command.customerPhone, 'Paid');
    await this.notify(record.command.customerPhone);
    await this.receipts.sendReceipt(record.command.customerPhone, record.command.amount);
  }
  private async notify(to: string) {
    await this.notifier.send(to, 'Paid');
  }
}`,
      errors: [
        {
          messageId: 'externalCallThrough',
          line: setupLines + 5,
          column: 11,
          data: { ...where('ReceiptFinalizer', 'finalize'), callee: 'sms.send', packageName: 'axios', path: 'finalize → sms.send → smsApi.post' },
        },
        {
          messageId: 'externalCallThrough',
          line: setupLines + 7,
          column: 11,
          data: {
            ...where('ReceiptFinalizer', 'finalize'),
            callee: 'receipts.sendReceipt',
            packageName: 'axios',
            path: 'finalize → receipts.sendReceipt → notifier.send → smsApi.post',
          },
        },
        {
          messageId: 'externalCallThrough',
          line: setupLines + 10,
          column: 11,
          data: {
            ...where('ReceiptFinalizer', 'notify'),
            callee: 'notifier.send',
            packageName: 'axios',
            path: 'notify → notifier.send (SmsNotifier.send) → smsApi.post',
          },
        },
      ],
    },
    {
      // Only the checker sees these Finalizers (a base in another file, a re-exported alias); a client from another module.
      filename,
      code: `${setup}
export class RefundFinalizer extends GatewayAwareFinalizer {
  async finalize(tx: Knex.Transaction, record: PaymentRecord) {
    await this.payments.refund(record.command.orderId, { idempotencyKey: record.command.idemKey });
  }
  private async refundWith(gateway: PaymentGateway, id: string) {
    await gateway.refund(id, { idempotencyKey: id });
  }
}
export class SignupFinalizer extends DomainFinalizer<PaymentOrchestrator> {
  constructor(private readonly welcomes: WelcomeService) { super(); }
  async finalize(tx: unknown, record: PaymentRecord) {
    await stripe.refunds.create({ payment_intent: record.command.orderId });
    await this.welcomes.welcome(record.command.customerPhone);
  }
}`,
      errors: [
        {
          messageId: 'gatewayCall',
          line: setupLines + 4,
          column: 11,
          data: { ...where('RefundFinalizer', 'finalize'), callee: 'payments.refund', gateway: 'PaymentGateway' },
        },
        {
          messageId: 'gatewayCall',
          line: setupLines + 7,
          column: 11,
          data: { ...where('RefundFinalizer', 'refundWith'), callee: 'gateway.refund', gateway: 'PaymentGateway' },
        },
        {
          messageId: 'externalCall',
          line: setupLines + 13,
          column: 11,
          data: { ...where('SignupFinalizer', 'finalize'), callee: 'stripe.refunds.create', packageName: 'stripe' },
        },
        {
          messageId: 'gatewayCallThrough',
          line: setupLines + 14,
          column: 11,
          data: { ...where('SignupFinalizer', 'finalize'), callee: 'welcomes.welcome', gateway: 'Mailer', path: 'finalize → welcomes.welcome → mailer.deliver' },
        },
      ],
    },
    {
      // The abstract base in its own file: its helper is reported there, once.
      filename: 'no-external-call-in-finalizer/gateway-aware.finalizer.ts',
      code: readFileSync(path.join(fixturesDir, 'no-external-call-in-finalizer/gateway-aware.finalizer.ts'), 'utf8'),
      errors: [
        { messageId: 'externalCall', line: 18, column: 11, data: { ...where('GatewayAwareFinalizer', 'announce'), callee: 'fetch', packageName: 'fetch' } },
      ],
    },
  ],
});
