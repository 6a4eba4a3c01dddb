// Shape: Prisma interactive transaction (`prisma.$transaction(async (tx) => …)`) around a checkout,
// with Stripe called straight from the callback and through a helper that is handed the client.
// Modelled on the checkout/billing services of Next.js SaaS starters (e.g. calcom/cal.com billing).
import Stripe from 'stripe';

interface OrderRecord {
  id: string;
  amountCents: number;
  customerId: string;
}

interface CheckoutTx {
  order: { update(args: object): Promise<OrderRecord>; findUniqueOrThrow(args: object): Promise<OrderRecord> };
  outboxMessage: { create(args: object): Promise<unknown> };
}

interface CheckoutPrisma {
  $transaction<T>(fn: (tx: CheckoutTx) => Promise<T>, options?: { timeout?: number }): Promise<T>;
}

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

async function chargeCustomer(client: Stripe, order: OrderRecord): Promise<string> {
  const intent = await client.paymentIntents.create({ amount: order.amountCents, currency: 'usd', customer: order.customerId });
  return intent.id;
}

export async function confirmCheckout(prisma: CheckoutPrisma, orderId: string): Promise<void> {
  await prisma.$transaction(
    async (tx) => {
      const order = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
      const intent = await stripe.paymentIntents.create({ amount: order.amountCents, currency: 'usd' }); // expect: safecall/no-external-call-in-transaction
      await tx.order.update({ where: { id: orderId }, data: { paymentIntentId: intent.id, state: 'PAID' } });
    },
    { timeout: 15_000 },
  );
}

export async function upgradePlan(prisma: CheckoutPrisma, orderId: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const order = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
    const paymentId = await chargeCustomer(stripe, order); // expect: safecall/no-external-call-in-transaction
    await tx.order.update({ where: { id: orderId }, data: { paymentId } });
  });
}

/** The correct shape: the transaction records the intent in an outbox; a relay sends it after commit. */
export async function requestRefund(prisma: CheckoutPrisma, orderId: string): Promise<void> {
  const order = await prisma.$transaction(async (tx) => {
    const updated = await tx.order.update({ where: { id: orderId }, data: { state: 'REFUND_REQUESTED' } });
    await tx.outboxMessage.create({ data: { topic: 'refund.requested', payload: { orderId } } });
    return updated;
  });
  await stripe.refunds.create({ payment_intent: order.id }, { idempotencyKey: `refund-${order.id}` });
}

/** Verifying a webhook signature inside the transaction is local: no network call. */
export async function recordWebhook(prisma: CheckoutPrisma, body: string, signature: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const event = stripe.webhooks.constructEvent(body, signature, process.env.STRIPE_WEBHOOK_SECRET ?? '');
    await tx.outboxMessage.create({ data: { topic: event.type, payload: { id: event.id } } });
  });
}
