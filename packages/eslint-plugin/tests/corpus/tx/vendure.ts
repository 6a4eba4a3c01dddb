// Shape: Vendure: `@Transaction()` on a GraphQL resolver calls a service that calls an HTTP API (the
// network call is one call away, in another class), and `TransactionalConnection.withTransaction`.
// Modelled on vendure-ecommerce/vendure plugins (resolvers + services).
import { Ctx, RequestContext, Transaction, TransactionalConnection } from '@vendure/core';
import axios from 'axios';

export class LoyaltyService {
  async awardPoints(customerId: string, points: number): Promise<void> {
    await axios.post('https://loyalty.example.com/points', { customerId, points });
  }

  describe(points: number): string {
    return `${points} points`;
  }
}

export class LoyaltyResolver {
  constructor(
    private readonly connection: TransactionalConnection,
    private readonly loyalty: LoyaltyService,
  ) {}

  @Transaction()
  async completeOrder(@Ctx() ctx: RequestContext, customerId: string, points: number): Promise<string> {
    await this.connection.getRepository(ctx, 'Order').save({ customerId, state: 'Completed' });
    await this.loyalty.awardPoints(customerId, points); // expect: safecall/no-external-call-in-transaction
    return this.loyalty.describe(points);
  }

  async adjustPoints(ctx: RequestContext, customerId: string, points: number): Promise<void> {
    await this.connection.withTransaction(ctx, async (innerCtx) => {
      await this.connection.getRepository(innerCtx, 'PointsAdjustment').save({ customerId, points });
      await this.loyalty.awardPoints(customerId, points); // expect: safecall/no-external-call-in-transaction
    });
  }
}
