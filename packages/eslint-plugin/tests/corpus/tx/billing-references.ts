// Shapes: the client imported from the project's own config module (typed path only), a callback
// handed to the transaction by reference (`knex.transaction(recordUsage)`, `this.settle.bind(this)`),
// and a private helper of the same class called from a `dataSource.transaction` callback.
// Modelled on Express + Knex billing code and TypeORM services in NestJS backends.
import type { Knex } from 'knex';
import type { DataSource, EntityManager } from 'typeorm';
import { stripe } from './stripe-client.js';

async function recordUsage(trx: Knex.Transaction): Promise<void> {
  const rows = await trx('usage').where({ billed: false }).update({ billed: true }).returning(['customerId', 'units']);
  for (const row of rows) {
    await stripe.billing.meterEvents.create({ event_name: 'api_calls', payload: { stripe_customer_id: row.customerId, value: String(row.units) } });
  }
}

export async function billUsage(knex: Knex): Promise<void> {
  await knex.transaction(recordUsage); // expect: safecall/no-external-call-in-transaction
}

export async function billCustomer(knex: Knex, customerId: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx('invoices').insert({ customerId });
    await stripe.invoices.create({ customer: customerId }); // expect: safecall/no-external-call-in-transaction
  });
}

export class PayoutService {
  constructor(private readonly dataSource: DataSource) {}

  async payOut(accountId: string, amount: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.insert('payouts', { accountId, amount });
      await this.transfer(accountId, amount); // expect: safecall/no-external-call-in-transaction
    });
  }

  async settleAll(): Promise<void> {
    await this.dataSource.transaction(this.settle.bind(this)); // expect: safecall/no-external-call-in-transaction
  }

  private async settle(manager: EntityManager): Promise<void> {
    const accounts: { id: string }[] = await manager.query('SELECT id FROM accounts WHERE settle = true');
    for (const account of accounts) await stripe.payouts.create({ amount: 1, currency: 'eur' }, { stripeAccount: account.id });
  }

  private async transfer(accountId: string, amount: number): Promise<void> {
    await stripe.transfers.create({ amount, currency: 'eur', destination: accountId });
  }
}
