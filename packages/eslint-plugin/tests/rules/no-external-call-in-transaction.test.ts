import rule from '../../src/rules/no-external-call-in-transaction.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

createUntypedRuleTester().run('no-external-call-in-transaction', rule, {
  valid: [
    // Verifying a webhook signature is local; the DB writes are what the transaction is for.
    `
import Stripe from 'stripe';
const stripe = new Stripe(process.env.STRIPE_KEY!);
export async function handleWebhook(prisma: any, body: string, signature: string) {
  await prisma.$transaction(async (tx: any) => {
    const event = stripe.webhooks.constructEvent(body, signature, 'whsec');
    await tx.event.create({ data: { id: event.id } });
  });
}`,
    // The provider call happens after the transaction's callback has returned.
    `
import Stripe from 'stripe';
const stripe = new Stripe('sk');
export async function charge(prisma: any, orderId: string) {
  const order = await prisma.$transaction(async (tx: any) => tx.order.update({ where: { id: orderId }, data: { state: 'charging' } }));
  await stripe.paymentIntents.create({ amount: order.amount, currency: 'eur' }, { idempotencyKey: orderId });
}`,
    // An Express response inside a transaction is no external call.
    `
import type { Request, Response } from 'express';
export async function create(req: Request, res: Response, dataSource: any) {
  await dataSource.transaction(async (manager: any) => {
    const user = await manager.save('User', req.body);
    res.status(201).send(user);
  });
}`,
    // A local function named fetch shadows the global one.
    `
async function fetch(id: string) { return { id }; }
export async function load(knex: any) {
  return knex.transaction(async (trx: any) => {
    const row = await fetch('1');
    return trx('rows').insert(row);
  });
}`,
    // After-commit hooks run once the transaction is over.
    `
import axios from 'axios';
import { runInTransaction, runOnTransactionCommit } from 'typeorm-transactional';
export async function register(repo: any) {
  await runInTransaction(async () => {
    await repo.save({ email: 'a@b.c' });
    runOnTransactionCommit(() => axios.post('https://hooks.example.com/registered'));
  });
}`,
    // Injecting an entity manager opens no transaction.
    `
import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import axios from 'axios';
@Injectable()
export class ReportService {
  constructor(@InjectEntityManager() private readonly manager: any) {}
  async publish() {
    const rows = await this.manager.find('Report');
    await axios.post('https://reports.example.com', rows);
  }
}`,
    // Building clients and verifying Twilio requests does no I/O.
    `
import twilio from 'twilio';
import nodemailer from 'nodemailer';
export async function setup(db: any, url: string, params: any) {
  await db.transaction(async (tx: any) => {
    const client = twilio('sid', 'token');
    const transport = nodemailer.createTransport({ host: 'smtp.example.com' });
    const ok = twilio.validateRequest('token', 'sig', url, params);
    await tx.insert({ ok, client: String(client), transport: String(transport) });
  });
}`,
    // Node's http module serves; only requests count.
    `
import http from 'node:http';
export async function start(sequelize: any) {
  await sequelize.transaction(async () => {
    http.createServer(() => undefined);
  });
}`,
    // After the try that commits (or rolls back and rethrows), the knex transaction has ended.
    `
import got from 'got';
export async function close(knex: any, id: string) {
  const trx = await knex.transaction();
  try {
    await trx('orders').where({ id }).update({ state: 'CLOSED' });
    await trx.commit();
  } catch (error) {
    await trx.rollback();
    throw error;
  }
  await got.post('https://hooks.example.com/closed', { json: { id } });
}`,
    // Sentry's startTransaction starts a tracing span, not a database transaction.
    `
import * as Sentry from '@sentry/node';
export async function sync(url: string) {
  const span = Sentry.startTransaction({ op: 'job', name: 'sync' });
  await fetch(url);
  span.finish();
}`,
    // NOT_SUPPORTED propagation runs the method outside any transaction.
    `
import { Transactional, Propagation } from 'typeorm-transactional';
export class Digest {
  @Transactional({ propagation: Propagation.NOT_SUPPORTED })
  async send(url: string) {
    await fetch(url, { method: 'POST' });
  }
}`,
  ],
  invalid: [
    {
      // A promise chained on the request (.catch, .then) is the same request: one report each, at the call.
      code: `
import nodemailer from 'nodemailer';
import axios from 'axios';
const transport = nodemailer.createTransport({});
export async function ship(prisma: any) {
  await prisma.$transaction(async (tx: any) => {
    await tx.order.update({ where: { id: 1 }, data: { shipped: true } });
    await transport.sendMail({ to: 'a@example.com' }).catch(() => undefined);
    await axios.post('https://carrier.example.com/labels').then((response) => response.data);
  });
}`,
      errors: [
        { messageId: 'externalCall', line: 8, column: 11, data: { callee: 'transport.sendMail', packageName: 'nodemailer', opener: 'prisma.$transaction()' } },
        { messageId: 'externalCall', line: 9, column: 11, data: { callee: 'axios.post', packageName: 'axios', opener: 'prisma.$transaction()' } },
      ],
    },
    {
      // SQL transaction control: inside between BEGIN and COMMIT, including a savepoint rollback.
      code: `
export async function move(client: any) {
  await client.query('BEGIN');
  try {
    await client.query('ROLLBACK TO SAVEPOINT a');
    await fetch('https://fraud.example.com', { method: 'POST' });
    await client.query('COMMIT');
    await fetch('https://hooks.example.com', { method: 'POST' });
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}`,
      errors: [{ messageId: 'externalCall', line: 6, column: 11, data: { callee: 'fetch', packageName: 'fetch', opener: "client.query('BEGIN')" } }],
    },
    {
      // TypeORM QueryRunner: a rollback on one branch leaves the transaction open on the other, and in the catch before its rollback.
      code: `
import axios from 'axios';
export async function cancel(dataSource: any, id: string) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.startTransaction();
  try {
    if (!id) {
      await queryRunner.rollbackTransaction();
      return;
    }
    await axios.delete(\`https://carrier.example.com/labels/\${id}\`);
    await queryRunner.commitTransaction();
  } catch (error) {
    await axios.post('https://alerts.example.com', { id });
    await queryRunner.rollbackTransaction();
  } finally {
    await queryRunner.release();
  }
}`,
      errors: [
        { messageId: 'externalCall', line: 11, column: 11, data: { callee: 'axios.delete', packageName: 'axios', opener: 'queryRunner.startTransaction()' } },
        { messageId: 'externalCall', line: 14, column: 11, data: { callee: 'axios.post', packageName: 'axios', opener: 'queryRunner.startTransaction()' } },
      ],
    },
    {
      // Medusa's @InjectTransactionManager() wraps the method in a transaction.
      code: `
import Stripe from 'stripe';
export class PaymentModule {
  constructor(private readonly stripe: Stripe) {}
  @InjectTransactionManager()
  async authorize(id: string) {
    await this.stripe.paymentIntents.confirm(id);
  }
}`,
      errors: [{ messageId: 'externalCall', line: 7, column: 11, data: { callee: 'stripe.paymentIntents.confirm', packageName: 'stripe', opener: '@InjectTransactionManager()' } }],
    },
    {
      // Prisma interactive transaction around a Stripe charge (a client held in a module constant).
      code: `
import Stripe from 'stripe';
const stripe = new Stripe(process.env.STRIPE_KEY!);
export async function pay(prisma: any, orderId: string) {
  await prisma.$transaction(async (tx: any) => {
    const order = await tx.order.findUnique({ where: { id: orderId } });
    await stripe.paymentIntents.create({ amount: order.amount, currency: 'eur' });
  });
}`,
      errors: [
        {
          messageId: 'externalCall',
          line: 7,
          column: 11,
          data: { callee: 'stripe.paymentIntents.create', packageName: 'stripe', opener: 'prisma.$transaction()' },
        },
      ],
    },
    {
      // typeorm-transactional decorator, a client injected into a NestJS service field.
      code: `
import { Transactional } from 'typeorm-transactional';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
export class UploadService {
  constructor(private readonly s3: S3Client, private readonly repo: any) {}
  @Transactional()
  async upload(key: string, body: Buffer) {
    await this.repo.save({ key });
    await this.s3.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: body }));
  }
}`,
      errors: [{ messageId: 'externalCall', line: 9, column: 11, data: { callee: 's3.send', packageName: '@aws-sdk/client-s3', opener: '@Transactional()' } }],
    },
    {
      // fetch and axios in a Knex transaction, a Sequelize managed transaction with options first.
      code: `
import axios from 'axios';
export async function sync(knex: any, sequelize: any) {
  await knex.transaction(async (trx: any) => {
    await trx('orders').insert({ id: 1 });
    await fetch('https://api.example.com/orders', { method: 'POST' });
  });
  await sequelize.transaction({ isolationLevel: 'SERIALIZABLE' }, async (t: any) => {
    const res = await axios.post('https://api.example.com/sync', {}, { transaction: t });
    return res.data;
  });
}`,
      errors: [
        { messageId: 'externalCall', line: 6, column: 11, data: { callee: 'fetch', packageName: 'fetch', opener: 'knex.transaction()' } },
        { messageId: 'externalCall', line: 9, column: 23, data: { callee: 'axios.post', packageName: 'axios', opener: 'sequelize.transaction()' } },
      ],
    },
    {
      // Kysely's builder, Drizzle, MikroORM and mongoose sessions; clients from require() and factories.
      code: `
const twilio = require('twilio');
const { getMessaging } = require('firebase-admin/messaging');
const client = twilio('sid', 'token');
export async function notify(db: any, drizzle: any, em: any, session: any) {
  await db.transaction().setIsolationLevel('serializable').execute(async (trx: any) => {
    await client.messages.create({ to: '+1', from: '+2', body: 'hi' });
  });
  await drizzle.transaction(async (tx: any) => {
    await getMessaging().send({ token: 't', notification: { title: 'x' } });
  });
  await em.transactional(async () => {
    await Promise.all(['a', 'b'].map((to) => client.calls.create({ to, from: '+2', url: 'u' })));
  });
  await session.withTransaction(async () => {
    setTimeout(() => client.messages.create({ to: '+1', from: '+2', body: 'later' }), 10);
  });
}`,
      errors: [
        { messageId: 'externalCall', line: 7, column: 11, data: { callee: 'client.messages.create', packageName: 'twilio', opener: 'db.transaction().setIsolationLevel().execute()' } },
        { messageId: 'externalCall', line: 10, column: 11, data: { callee: 'getMessaging().send', packageName: 'firebase-admin', opener: 'drizzle.transaction()' } },
        { messageId: 'externalCall', line: 13, column: 46, data: { callee: 'client.calls.create', packageName: 'twilio', opener: 'em.transactional()' } },
      ],
    },
    {
      // A nodemailer transport assigned in the constructor; a mail sent inside TypeORM's manager.transaction.
      code: `
import * as nodemailer from 'nodemailer';
import sgMail from '@sendgrid/mail';
export class Mailer {
  private transport;
  constructor(private readonly dataSource: any) {
    this.transport = nodemailer.createTransport({ host: 'smtp.example.com' });
  }
  async welcome(email: string) {
    await this.dataSource.manager.transaction('SERIALIZABLE', async (manager: any) => {
      await manager.insert('Welcome', { email });
      await this.transport.sendMail({ to: email, subject: 'Welcome' });
      await sgMail.send({ to: email, from: 'a@b.c', subject: 'x', text: 'y' });
    });
  }
}`,
      errors: [
        { messageId: 'externalCall', line: 12, column: 13, data: { callee: 'transport.sendMail', packageName: 'nodemailer', opener: 'this.dataSource.manager.transaction()' } },
        { messageId: 'externalCall', line: 13, column: 13, data: { callee: 'sgMail.send', packageName: '@sendgrid/mail', opener: 'this.dataSource.manager.transaction()' } },
      ],
    },
  ],
});

// Typed cases follow calls into tests/fixtures/no-external-call-in-transaction/*.ts.
const filename = 'no-external-call-in-transaction/case.ts';
const setup = `
import { Transactional } from 'typeorm-transactional';
import { PaymentService } from './settlement';
import { Notifier } from './notifier';
import { OrderRepository, auditLine } from './orders';
import { level1, countDown } from './chain';
import { stripe } from './clients';
declare const prisma: { $transaction<T>(fn: (tx: any) => Promise<T>): Promise<T> };
`;
const setupLines = setup.split('\n').length - 1;

createTypedRuleTester().run('no-external-call-in-transaction (typed)', rule, {
  valid: [
    {
      // Repositories, pure helpers and recursion that never reaches the network.
      filename,
      code: `${setup}
export class Checkout {
  constructor(private readonly orders: OrderRepository, private readonly payments: PaymentService) {}
  async complete(orderId: string) {
    await prisma.$transaction(async (tx) => {
      await this.orders.markPaid(tx, orderId);
      console.log(auditLine(orderId), this.payments.describePayment(orderId), await countDown(3));
    });
  }
}`,
    },
    {
      // The provider is called after the transaction, through the same service.
      filename,
      code: `${setup}
export async function settle(payments: PaymentService, orders: OrderRepository, id: string) {
  await prisma.$transaction(async (tx) => orders.markPaid(tx, id));
  await payments.settlePayment(id, 100);
}`,
    },
    {
      // A chain longer than maxDepth is not followed to its end.
      filename,
      code: `${setup}
export async function ship(id: string) {
  await prisma.$transaction(async () => level1(id));
}`,
      options: [{ maxDepth: 4 }],
    },
  ],
  invalid: [
    {
      // Through a service and an interface to the implementation that calls Stripe.
      filename,
      code: `${setup}
export class Checkout {
  constructor(private readonly payments: PaymentService) {}
  @Transactional()
  async complete(orderId: string) {
    await this.payments.settlePayment(orderId, 100);
  }
}`,
      errors: [
        {
          messageId: 'externalCallThrough',
          line: setupLines + 6,
          column: 11,
          data: {
            callee: 'payments.settlePayment',
            packageName: 'stripe',
            opener: '@Transactional()',
            path: 'payments.settlePayment → handler.settle (StripeSettlementHandler.settle) → stripe.paymentIntents.capture',
          },
        },
      ],
    },
    {
      // A function-typed option, implemented by an object literal in another file, that calls fetch.
      filename,
      code: `${setup}
export async function order(notifier: Notifier) {
  await prisma.$transaction(async () => {
    await notifier.notify('+100', 'paid');
  });
}`,
      errors: [
        {
          messageId: 'externalCallThrough',
          line: setupLines + 4,
          column: 11,
          data: {
            callee: 'notifier.notify',
            packageName: 'fetch',
            opener: 'prisma.$transaction()',
            path: 'notifier.notify → options.send (smsNotifierOptions.send) → fetch',
          },
        },
      ],
    },
    {
      // Five calls deep, within the default maxDepth; and a client imported from another module.
      filename,
      code: `${setup}
export async function ship(id: string) {
  await prisma.$transaction(async () => {
    await level1(id);
    await stripe.refunds.create({ payment_intent: id });
  });
}`,
      errors: [
        {
          messageId: 'externalCallThrough',
          line: setupLines + 4,
          column: 11,
          data: { callee: 'level1', packageName: 'axios', opener: 'prisma.$transaction()', path: 'level1 → level2 → level3 → level4 → shippingApi.post' },
        },
        {
          messageId: 'externalCall',
          line: setupLines + 5,
          column: 11,
          data: { callee: 'stripe.refunds.create', packageName: 'stripe', opener: 'prisma.$transaction()' },
        },
      ],
    },
  ],
});
