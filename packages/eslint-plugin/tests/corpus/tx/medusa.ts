// Shape: Medusa v2 module service: `@InjectTransactionManager()` wraps the method in
// `baseRepository_.transaction()`, `@InjectManager()` only hands it a manager (no transaction);
// Medusa v1's `this.atomicPhase_(async (manager) => …)` is a transaction too.
// Modelled on medusajs/medusa's module services and payment providers.
import { InjectManager, InjectTransactionManager, MedusaContext } from '@medusajs/framework/utils';
import Stripe from 'stripe';

interface Context {
  transactionManager?: unknown;
  manager?: unknown;
}

interface PaymentSessionRepository {
  update(data: object, context: Context): Promise<{ id: string; providerId: string }>;
  find(id: string, context: Context): Promise<{ id: string; providerId: string }>;
}

export class PaymentModuleService {
  protected readonly stripe_: Stripe;

  constructor(protected readonly paymentSessionRepository_: PaymentSessionRepository) {
    this.stripe_ = new Stripe(process.env.STRIPE_API_KEY ?? '');
  }

  @InjectTransactionManager()
  async authorizePaymentSession(id: string, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const session = await this.paymentSessionRepository_.update({ id, status: 'authorizing' }, sharedContext);
    await this.stripe_.paymentIntents.confirm(session.providerId); // expect: safecall/no-external-call-in-transaction
  }

  @InjectManager()
  async retrievePaymentStatus(id: string, @MedusaContext() sharedContext: Context = {}): Promise<string> {
    const session = await this.paymentSessionRepository_.find(id, sharedContext);
    const intent = await this.stripe_.paymentIntents.retrieve(session.providerId);
    return intent.status;
  }
}

export class LegacySwapService {
  constructor(private readonly stripe: Stripe) {}

  protected async atomicPhase_<T>(work: (manager: unknown) => Promise<T>): Promise<T> {
    return work(undefined);
  }

  async refundSwap(paymentIntentId: string): Promise<void> {
    await this.atomicPhase_(async () => {
      await this.stripe.refunds.create({ payment_intent: paymentIntentId }); // expect: safecall/no-external-call-in-transaction
    });
  }
}
