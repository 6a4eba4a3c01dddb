// Shape: MikroORM `em.transactional(async (em) => …)`, its `@Transactional()` decorator, and the
// explicit `em.begin()` … `em.commit()` / `em.rollback()`; an OpenAI-style SDK is stood in for by
// Stripe here. Modelled on MikroORM's "Transactions and concurrency" docs.
import { EntityManager, Transactional } from '@mikro-orm/core';
import { Stripe } from 'stripe';

class Customer {
  id = '';
  stripeId = '';
  email = '';
}

export class CustomerService {
  constructor(
    private readonly em: EntityManager,
    private readonly stripe: Stripe,
  ) {}

  async linkCustomer(id: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const customer = await em.findOneOrFail(Customer, { id });
      const created = await this.stripe.customers.create({ email: customer.email }); // expect: safecall/no-external-call-in-transaction
      customer.stripeId = created.id;
    });
  }

  @Transactional()
  async renameCustomer(id: string, email: string): Promise<void> {
    const customer = await this.em.findOneOrFail(Customer, { id });
    customer.email = email;
    await this.stripe.customers.update(customer.stripeId, { email }); // expect: safecall/no-external-call-in-transaction
  }

  async removeCustomer(id: string): Promise<void> {
    const customer = await this.em.findOneOrFail(Customer, { id });
    await this.em.begin();
    try {
      this.em.persist(Object.assign(customer, { email: '' }));
      await this.em.flush();
      await this.stripe.customers.del(customer.stripeId); // expect: safecall/no-external-call-in-transaction
      await this.em.commit();
    } catch (error) {
      await this.em.rollback();
      throw error;
    }
    await this.stripe.customers.retrieve(customer.stripeId);
  }
}
