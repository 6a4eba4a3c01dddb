import rule from '../../src/rules/no-transaction-in-execute.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const header = `
import { Orchestrator, Outcome, Finalizer, type Command, type OpId, type ExecutionContext } from '@safecall/runtime';
interface ChargeCommand extends Command { readonly orderId: string; readonly amount: number }`;

createUntypedRuleTester().run('no-transaction-in-execute', rule, {
  valid: [
    // A $transaction in a Finalizer is where domain writes belong.
    `${header}
export class PaymentFinalizer extends Finalizer<PaymentOrchestrator> {
  async finalize(tx: unknown) {
    await prisma.$transaction(async (db) => db.order.update({ where: { id: '1' }, data: { paid: true } }));
  }
}`,
    // A repository method that opens one, not reached from executeInternal.
    `
export class OrdersRepository {
  @Transactional()
  async markPaid(id: string) { await this.dataSource.transaction(async (m) => m.save({ id })); }
}`,
    // A method named executeInternal outside an Orchestrator.
    `
export class ImportJob {
  @Transactional()
  async executeInternal() { await this.db.transaction(async (trx) => trx('rows').insert({})); }
}`,
    // The external call alone, with the key and signal from the context.
    `${header}
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    const charge = await this.stripe.paymentIntents.create({ amount: cmd.amount, currency: 'eur' }, { idempotencyKey: ctx.idempotencyKey });
    return Outcome.ok({ txId: charge.id });
  }
}`,
  ],
  invalid: [
    {
      code: `${header}
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {
  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    return this.prisma.$transaction(async (db) => {
      await db.order.update({ where: { id: cmd.orderId }, data: { state: 'charging' } });
      const charge = await this.gateway.charge(cmd.orderId, cmd.amount);
      return Outcome.ok({ txId: charge.id });
    });
  }
}`,
      errors: [
        {
          messageId: 'transactionInExecute',
          data: { orchestrator: 'PaymentOrchestrator', opener: '`this.prisma.$transaction()`' },
          line: 6,
          column: 12,
        },
      ],
    },
    {
      // Decorators on the method and on the class; an alias of the runtime; Knex and Sequelize style calls.
      code: `
import { Orchestrator as Base } from '@safecall/runtime';
@Transactional()
export class UploadOrchestrator extends Base<UploadCommand, void> {
  @Transaction()
  protected async executeInternal(opId: string, cmd: UploadCommand) {
    const trx = await this.knex.transaction();
    await this.sequelize.transaction({ isolationLevel: 'SERIALIZABLE' }, async (t) => t);
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'transactionAroundExecute',
          data: { orchestrator: 'UploadOrchestrator', opener: '`@Transactional()`' },
          line: 3,
          column: 1,
        },
        {
          messageId: 'transactionAroundExecute',
          data: { orchestrator: 'UploadOrchestrator', opener: '`@Transaction()`' },
          line: 5,
          column: 3,
        },
        {
          messageId: 'transactionInExecute',
          data: { orchestrator: 'UploadOrchestrator', opener: '`this.knex.transaction()`' },
          line: 7,
          column: 23,
        },
        {
          messageId: 'transactionInExecute',
          data: { orchestrator: 'UploadOrchestrator', opener: '`this.sequelize.transaction()`' },
          line: 8,
          column: 11,
        },
      ],
    },
    {
      // A user's own wrapper, named by option; an arrow-function executeInternal.
      code: `${header}
export class SmsOrchestrator extends Orchestrator<ChargeCommand, void> {
  protected executeInternal = async (opId: OpId, cmd: ChargeCommand) => {
    await withUnitOfWork(async () => this.sms.send(cmd.orderId));
    return Outcome.ok(undefined);
  };
}`,
      options: [{ transactionCallees: ['withUnitOfWork'] }],
      errors: [
        {
          messageId: 'transactionInExecute',
          data: { orchestrator: 'SmsOrchestrator', opener: '`withUnitOfWork()`' },
          line: 6,
          column: 11,
        },
      ],
    },
  ],
});

createTypedRuleTester().run('no-transaction-in-execute (with type information)', rule, {
  valid: [
    `${header}
import { OrdersRepository } from './no-transaction-in-execute/orders.repository';
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  constructor(private readonly orders: OrdersRepository) { super({ name: 'payment' }); }
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    await this.orders.findOrder(cmd.orderId);
    return Outcome.ok(undefined);
  }
}`,
  ],
  invalid: [
    {
      // Methods in another file: one decorated, one reached through a service.
      code: `${header}
import { BillingService, OrdersRepository } from './no-transaction-in-execute/orders.repository';
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, void> {
  constructor(private readonly orders: OrdersRepository, private readonly billing: BillingService) { super({ name: 'payment' }); }
  protected async executeInternal(opId: OpId, cmd: ChargeCommand) {
    await this.billing.recordAttempt(cmd.orderId);
    await this.orders.markPaid(cmd.orderId);
    return Outcome.ok(undefined);
  }
}`,
      errors: [
        {
          messageId: 'transactionThrough',
          data: {
            orchestrator: 'PaymentOrchestrator',
            path: '`billing.recordAttempt → orders.saveAttempt → dataSource.transaction()`',
          },
          line: 8,
          column: 11,
        },
        {
          messageId: 'transactionThrough',
          data: { orchestrator: 'PaymentOrchestrator', path: '`orders.markPaid → @Transactional()`' },
          line: 9,
          column: 11,
        },
      ],
    },
  ],
});
