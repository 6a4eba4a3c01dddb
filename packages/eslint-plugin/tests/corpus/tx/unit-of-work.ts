// Shape: the project's own transaction helpers: a `withTransaction`-style function around Prisma's
// `$transaction`, a UnitOfWork class whose `run(work)` is `@Transactional()`, and a helper that only
// retries (no transaction). Modelled on "unit of work" layers in clean-architecture Node backends.
import { Transactional } from 'typeorm-transactional';
import { stripe } from './stripe-client.js';

interface Tx {
  credit: { create(args: object): Promise<{ id: string }> };
}

declare const prisma: { $transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> };

export async function inTx<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction((tx) => work(tx));
}

export class UnitOfWork {
  @Transactional()
  async run<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }
}

async function withRetry<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

export async function grantCredit(customerId: string, uow: UnitOfWork): Promise<void> {
  await inTx(async (tx) => {
    await tx.credit.create({ data: { customerId, amount: 500 } });
    await stripe.customers.createBalanceTransaction(customerId, { amount: -500, currency: 'eur' }); // expect: safecall/no-external-call-in-transaction
  });
  await uow.run(async () => {
    await stripe.customers.update(customerId, { metadata: { credited: 'yes' } }); // expect: safecall/no-external-call-in-transaction
  });
  await withRetry(() => stripe.customers.retrieve(customerId));
}
