// Clean reference code: the transaction only writes (domain rows and an outbox row); the network
// calls happen before it, after it commits, or in a relay that reads the outbox. Modelled on the
// transactional-outbox pattern as used with Prisma/Knex (e.g. microservices.io, Brandur's "Transactionally staged job drains").
import Stripe from 'stripe';
import type { Knex } from 'knex';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

interface OutboxRow {
  id: string;
  topic: string;
  payload: { orderId: string; amount: number };
}

export async function placeOrder(knex: Knex, orderId: string, amount: number): Promise<void> {
  const customer = await stripe.customers.retrieve(`cus_${orderId}`);
  await knex.transaction(async (trx) => {
    await trx('orders').insert({ id: orderId, amount, customer: customer.id, state: 'PENDING_PAYMENT' });
    await trx('outbox').insert({ id: `charge-${orderId}`, topic: 'charge', payload: { orderId, amount } });
  });
}

/** The relay: claims a batch in one short transaction, calls Stripe outside it, records the result in another. */
export async function relayOutbox(knex: Knex): Promise<void> {
  const batch: OutboxRow[] = await knex.transaction(async (trx) =>
    trx('outbox').where({ sentAt: null }).limit(10).forUpdate().skipLocked().update({ claimedAt: knex.fn.now() }).returning('*'),
  );
  for (const row of batch) {
    await stripe.paymentIntents.create(
      { amount: row.payload.amount, currency: 'eur', metadata: { orderId: row.payload.orderId } },
      { idempotencyKey: row.id },
    );
    await knex('outbox').where({ id: row.id }).update({ sentAt: knex.fn.now() });
  }
}

export async function closeOrder(knex: Knex, orderId: string): Promise<void> {
  const trx = await knex.transaction();
  await trx('orders').where({ id: orderId }).update({ state: 'CLOSED' });
  await trx.commit();
  await stripe.invoices.create({ customer: `cus_${orderId}` }, { idempotencyKey: `close-${orderId}` });
}
