// Shape: NestJS service with an injected Stripe client (`@InjectStripeClient() private stripe: Stripe`)
// and @nestjs-cls/transactional (`@Transactional()`, `TransactionHost.withTransaction`).
// Modelled on @nestjs-cls/transactional's docs and @golevelup/nestjs-stripe users.
import { InjectStripeClient } from '@golevelup/nestjs-stripe';
import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type Stripe from 'stripe';

interface PrismaTx {
  subscription: { update(args: object): Promise<{ stripeId: string }> };
}

@Injectable()
export class SubscriptionService {
  constructor(
    @InjectStripeClient() private readonly stripe: Stripe,
    private readonly txHost: TransactionHost<PrismaTx>,
  ) {}

  @Transactional()
  async pause(id: string): Promise<void> {
    const subscription = await this.txHost.tx.subscription.update({ where: { id }, data: { paused: true } });
    await this.stripe.subscriptions.update(subscription.stripeId, { pause_collection: { behavior: 'void' } }); // expect: safecall/no-external-call-in-transaction
  }

  async resume(id: string): Promise<void> {
    const subscription = await this.txHost.withTransaction(async () =>
      this.txHost.tx.subscription.update({ where: { id }, data: { paused: false } }),
    );
    await this.stripe.subscriptions.update(subscription.stripeId, { pause_collection: null });
  }
}
