// Shape: Knex managed transaction (`knex.transaction(async (trx) => …)`) calling a notification
// provider through its interface; the network call is two files away. Modelled on Express + Knex
// order services.
import type { Knex } from 'knex';
import { orderMessage, type NotificationProvider } from './notifications.js';

export class OrderStateService {
  constructor(
    private readonly knex: Knex,
    private readonly notifier: NotificationProvider,
  ) {}

  async ship(orderId: string, email: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('orders').where({ id: orderId }).update({ state: 'SHIPPED' });
      await this.notifier.notify(email, orderMessage(orderId, 'SHIPPED')); // expect: safecall/no-external-call-in-transaction
    });
  }

  async deliver(orderId: string, email: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('orders').where({ id: orderId }).update({ state: 'DELIVERED' });
    });
    await this.notifier.notify(email, orderMessage(orderId, 'DELIVERED'));
  }
}
