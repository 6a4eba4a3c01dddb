import rule from '../../src/rules/require-sdk-idempotency-key.js';
import { createTypedRuleTester } from '../rule-tester.js';

// Every case is linted against the real type definitions of the SDKs (dev dependencies of this package).
const filename = 'require-sdk-idempotency-key/case.ts';
const stripeSetup = `import Stripe from 'stripe';
import { randomUUID } from 'node:crypto';
const stripe = new Stripe('sk_test');
`;

createTypedRuleTester().run('require-sdk-idempotency-key', rule, {
  valid: [
    {
      // Reads, deletes, updates (off by default), webhook verification, and keys derived from the operation.
      filename,
      code: `${stripeSetup}
export async function settle(orderId: string, amount: number, body: string, signature: string, headers: Record<string, string>) {
  await stripe.paymentIntents.retrieve(orderId);
  await stripe.customers.list({ limit: 10 });
  await stripe.charges.search({ query: "status:'succeeded'" });
  await stripe.customers.del('cus_1');
  await stripe.customers.update('cus_1', { name: 'A' });
  stripe.webhooks.constructEvent(body, signature, 'whsec');
  await stripe.paymentIntents.create({ amount, currency: 'eur' }, { idempotencyKey: \`order-\${orderId}\` });
  await stripe.refunds.create({ payment_intent: orderId }, { idempotencyKey: headers['idempotency-key'] });
}`,
    },
    {
      // The options come from elsewhere: a typed variable or a spread that may carry the key.
      filename,
      code: `${stripeSetup}
export async function charge(params: Stripe.PaymentIntentCreateParams, requestOptions: Stripe.RequestOptions, base: object) {
  await stripe.paymentIntents.create(params, requestOptions);
  await stripe.paymentIntents.create(params, { ...base });
}`,
    },
    {
      // A client held in a class field; the key comes from the command.
      filename,
      code: `${stripeSetup}
export class StripeGateway {
  constructor(private readonly client: Stripe) {}
  async charge(cmd: { idemKey: string; amount: number }) {
    return this.client.paymentIntents.create({ amount: cmd.amount, currency: 'eur' }, { idempotencyKey: cmd.idemKey });
  }
}`,
    },
    {
      // Square, PayPal, Mollie and Adyen with keys derived from the order.
      filename,
      code: `
import { SquareClient } from 'square';
import { Client, OrdersController, CheckoutIntent } from '@paypal/paypal-server-sdk';
import createMollieClient from '@mollie/api-client';
import { Client as AdyenClient, CheckoutAPI } from '@adyen/api-library';
const square = new SquareClient({ token: 't' });
const orders = new OrdersController(new Client({}));
const mollie = createMollieClient({ apiKey: 'test_x' });
const checkout = new CheckoutAPI(new AdyenClient({ apiKey: 'k', environment: 'TEST' }));
export async function pay(orderId: string) {
  await square.payments.create({ idempotencyKey: \`pay-\${orderId}\`, sourceId: 'cnon:card', amountMoney: { amount: BigInt(100), currency: 'EUR' } });
  await orders.createOrder({ body: { intent: CheckoutIntent.Capture, purchaseUnits: [] }, paypalRequestId: orderId });
  await mollie.payments.create({ amount: { value: '10.00', currency: 'EUR' }, description: 'order', idempotencyKey: orderId });
  await checkout.PaymentsApi.payments({} as any, { idempotencyKey: orderId });
  await square.payments.get({ paymentId: orderId });
}`,
    },
    {
      // AWS SDK v3 fills a client token itself and is exempt by default; Twilio's types carry no key.
      filename,
      code: `
import { S3Client, RenameObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import twilio from 'twilio';
const s3 = new S3Client({});
const sms = twilio('AC1', 'token');
export async function move(key: string) {
  await s3.send(new RenameObjectCommand({ Bucket: 'b', Key: key, RenameSource: 'old' }));
  await s3.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: 'x' }));
  await sms.messages.create({ to: '+1', from: '+2', body: 'hi' });
}`,
    },
    {
      // HTTP requests to hosts not configured, reads, and requests with a derived key header.
      filename,
      code: `
import axios from 'axios';
export async function notify(orderId: string) {
  await fetch('https://hooks.example.com/paid', { method: 'POST', body: orderId });
  await fetch('https://api.payments.example/charges/' + orderId);
  await axios.post('https://api.payments.example/charges', { orderId }, { headers: { 'Idempotency-Key': \`charge-\${orderId}\` } });
}`,
      options: [{ hosts: ['api.payments.example'] }],
    },
    {
      // Cancelling ends in the same state when repeated (Stripe cancels a subscription with DELETE); Adyen's
      // paymentMethods lists what a shopper may use.
      filename,
      code: `${stripeSetup}
import { Client as AdyenClient, CheckoutAPI } from '@adyen/api-library';
const checkout = new CheckoutAPI(new AdyenClient({ apiKey: 'k', environment: 'TEST' }));
export async function stop(subscriptionId: string, invoiceId: string) {
  await stripe.subscriptions.cancel(subscriptionId);
  await stripe.invoices.voidInvoice(invoiceId);
  await checkout.PaymentsApi.paymentMethods({ merchantAccount: 'm' });
}`,
    },
    {
      // A local object that only looks like a client.
      filename,
      code: `
const stripe = { paymentIntents: { async create(params: { amount: number }) { return params; } } };
export async function fake() {
  await stripe.paymentIntents.create({ amount: 1 });
}`,
    },
    {
      // Short-lived sessions, links and tokens expire unused: quiet by default wherever the client sits.
      filename,
      code: `${stripeSetup}
declare function getStripe(): Stripe;
export class Portal {
  #client = new Stripe('sk_test');
  constructor(private readonly injected?: Stripe) {}
  private get client(): Stripe {
    return this.#client;
  }
  async links(customer: string, account: string) {
    await this.client.billingPortal.sessions.create({ customer });
    await this.#client.accountLinks.create({ account, type: 'account_onboarding' });
    await this.injected?.accountSessions.create({ account, components: {} });
    await this.injected!['ephemeralKeys'].create({ customer }, { apiVersion: '2024-06-20' });
    await getStripe().checkout.sessions.create({ mode: 'setup', customer }, { idempotencyKey: randomUUID() });
  }
}
export async function onboard(client: Stripe, account: string) {
  await client.accounts.createLoginLink(account);
  await client.tokens.create({ customer: 'cus_1' });
}`,
    },
    {
      // A list of one's own replaces the defaults' purpose: here setup intents are quiet too.
      filename,
      code: `${stripeSetup}
export async function saveCard(customer: string) {
  await stripe.setupIntents.create({ customer });
}`,
      options: [{ ignoreResources: ['setupIntents'] }],
    },
  ],
  invalid: [
    {
      filename,
      code: `${stripeSetup}
export async function charge(amount: number) {
  return stripe.paymentIntents.create({ amount, currency: 'eur' });
}`,
      errors: [
        {
          messageId: 'missingKey',
          line: 6,
          column: 10,
          data: { callee: 'stripe.paymentIntents.create', packageName: 'stripe', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              data: { callee: 'stripe.paymentIntents.create', packageName: 'stripe', property: 'idempotencyKey' },
              output: `${stripeSetup}
export async function charge(amount: number) {
  return stripe.paymentIntents.create({ amount, currency: 'eur' }, { idempotencyKey });
}`,
            },
          ],
        },
      ],
    },
    {
      // Capture with the params argument left out: the suggestion fills it with undefined.
      filename,
      code: `${stripeSetup}
export async function capture(id: string) {
  await stripe.paymentIntents.capture(id);
}`,
      errors: [
        {
          messageId: 'missingKey',
          line: 6,
          column: 9,
          suggestions: [
            {
              messageId: 'addKey',
              output: `${stripeSetup}
export async function capture(id: string) {
  await stripe.paymentIntents.capture(id, undefined, { idempotencyKey });
}`,
            },
          ],
        },
      ],
    },
    {
      // A key made fresh per call, directly and through a local variable.
      filename,
      code: `${stripeSetup}
export async function refund(paymentIntent: string) {
  await stripe.refunds.create({ payment_intent: paymentIntent }, { idempotencyKey: randomUUID() });
  const key = \`refund-\${Date.now()}\`;
  await stripe.refunds.create({ payment_intent: paymentIntent }, { idempotencyKey: key });
}`,
      errors: [
        { messageId: 'freshKey', line: 6, column: 68, data: { callee: 'stripe.refunds.create', packageName: 'stripe', property: 'idempotencyKey', source: 'randomUUID()' } },
        { messageId: 'freshKey', line: 8, column: 68, data: { callee: 'stripe.refunds.create', packageName: 'stripe', property: 'idempotencyKey', source: 'Date.now()' } },
      ],
    },
    {
      // Updates are checked when checkUpdates is on (the strict preset).
      filename,
      code: `${stripeSetup}
export async function rename(id: string) {
  await stripe.customers.update(id, { name: 'B' });
}`,
      options: [{ checkUpdates: true }],
      errors: [
        {
          messageId: 'missingKey',
          line: 6,
          column: 9,
          suggestions: [
            {
              messageId: 'addKey',
              output: `${stripeSetup}
export async function rename(id: string) {
  await stripe.customers.update(id, { name: 'B' }, { idempotencyKey });
}`,
            },
          ],
        },
      ],
    },
    {
      // Square's key sits in the request; the quick-start's randomUUID() is the classic mistake.
      filename,
      code: `
import { SquareClient } from 'square';
import { randomUUID } from 'node:crypto';
const square = new SquareClient({ token: 't' });
export async function pay() {
  await square.payments.create({ idempotencyKey: randomUUID(), sourceId: 'cnon:card' } as any);
}`,
      errors: [{ messageId: 'freshKey', line: 6, column: 34, data: { callee: 'square.payments.create', packageName: 'square', property: 'idempotencyKey', source: 'randomUUID()' } }],
    },
    {
      // PayPal's key is the paypalRequestId of the request object; Mollie's the idempotencyKey of the parameters.
      filename,
      code: `
import { Client, OrdersController } from '@paypal/paypal-server-sdk';
import createMollieClient from '@mollie/api-client';
const orders = new OrdersController(new Client({}));
const mollie = createMollieClient({ apiKey: 'test_x' });
export async function pay(id: string) {
  await orders.captureOrder({ id });
  await mollie.payments.create({ amount: { value: '10.00', currency: 'EUR' }, description: 'order' });
}`,
      errors: [
        {
          messageId: 'missingKey',
          line: 7,
          column: 9,
          data: { callee: 'orders.captureOrder', packageName: '@paypal/paypal-server-sdk', property: 'paypalRequestId' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `
import { Client, OrdersController } from '@paypal/paypal-server-sdk';
import createMollieClient from '@mollie/api-client';
const orders = new OrdersController(new Client({}));
const mollie = createMollieClient({ apiKey: 'test_x' });
export async function pay(id: string) {
  await orders.captureOrder({ paypalRequestId: idempotencyKey, id });
  await mollie.payments.create({ amount: { value: '10.00', currency: 'EUR' }, description: 'order' });
}`,
            },
          ],
        },
        {
          messageId: 'missingKey',
          line: 8,
          column: 9,
          data: { callee: 'mollie.payments.create', packageName: '@mollie/api-client', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `
import { Client, OrdersController } from '@paypal/paypal-server-sdk';
import createMollieClient from '@mollie/api-client';
const orders = new OrdersController(new Client({}));
const mollie = createMollieClient({ apiKey: 'test_x' });
export async function pay(id: string) {
  await orders.captureOrder({ id });
  await mollie.payments.create({ idempotencyKey, amount: { value: '10.00', currency: 'EUR' }, description: 'order' });
}`,
            },
          ],
        },
      ],
    },
    {
      // Adyen takes the key in its request options, the second argument.
      filename,
      code: `
import { Client, CheckoutAPI, Types } from '@adyen/api-library';
const checkout = new CheckoutAPI(new Client({ apiKey: 'k', environment: 'TEST' }));
export async function pay(request: Types.checkout.PaymentRequest) {
  return checkout.PaymentsApi.payments(request);
}`,
      errors: [
        {
          messageId: 'missingKey',
          line: 5,
          column: 10,
          data: { callee: 'checkout.PaymentsApi.payments', packageName: '@adyen/api-library', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `
import { Client, CheckoutAPI, Types } from '@adyen/api-library';
const checkout = new CheckoutAPI(new Client({ apiKey: 'k', environment: 'TEST' }));
export async function pay(request: Types.checkout.PaymentRequest) {
  return checkout.PaymentsApi.payments(request, { idempotencyKey });
}`,
            },
          ],
        },
      ],
    },
    {
      // With checkAws on, AWS SDK v3 commands whose input takes a ClientToken need one.
      filename,
      code: `
import { S3Client, RenameObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({});
export async function move(key: string) {
  await s3.send(new RenameObjectCommand({ Bucket: 'b', Key: key, RenameSource: 'old' }));
}`,
      options: [{ checkAws: true }],
      errors: [
        {
          messageId: 'missingKey',
          line: 5,
          column: 9,
          data: { callee: 's3.send', packageName: '@aws-sdk/client-s3', property: 'ClientToken' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `
import { S3Client, RenameObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({});
export async function move(key: string) {
  await s3.send(new RenameObjectCommand({ ClientToken: idempotencyKey, Bucket: 'b', Key: key, RenameSource: 'old' }));
}`,
            },
          ],
        },
      ],
    },
    {
      // A random fallback and a local helper that returns a fresh value are fresh keys too.
      filename,
      code: `${stripeSetup}
const newKey = () => \`pay_\${randomUUID()}\`;
export async function pay(amount: number, headerKey: string | undefined) {
  await stripe.paymentIntents.create({ amount, currency: 'eur' }, { idempotencyKey: headerKey ?? randomUUID() });
  await stripe.paymentIntents.create({ amount, currency: 'eur' }, { idempotencyKey: newKey() });
}`,
      errors: [
        { messageId: 'freshKey', line: 7, column: 69, data: { callee: 'stripe.paymentIntents.create', packageName: 'stripe', property: 'idempotencyKey', source: 'randomUUID()' } },
        { messageId: 'freshKey', line: 8, column: 69, data: { callee: 'stripe.paymentIntents.create', packageName: 'stripe', property: 'idempotencyKey', source: 'newKey() → randomUUID()' } },
      ],
    },
    {
      // The host of a relative URL comes from the client's baseURL; the instance's default key does not count.
      filename,
      code: `
import axios from 'axios';
const API_URL = process.env.LIVE ? 'https://api.payments.example/v1' : 'https://sandbox.payments.example/v1';
const payments = axios.create({ baseURL: API_URL, headers: { 'Idempotency-Key': process.env.KEY } });
export async function charge(orderId: string) {
  await payments.post('/charges', { orderId });
  await payments.post('/charges', { orderId }, { headers: { 'Idempotency-Key': \`charge-\${orderId}\` } });
}`,
      options: [{ hosts: ['payments.example'] }],
      errors: [{ messageId: 'missingHeader', line: 6, column: 9, data: { callee: 'payments.post', method: 'POST', host: 'payments.example', header: 'Idempotency-Key' } }],
    },
    {
      // POSTs to a configured host need the header, and a fresh header protects nothing.
      filename,
      code: `
import axios from 'axios';
export async function charge(orderId: string) {
  await fetch(\`https://api.payments.example/charges/\${orderId}\`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  await axios.post('https://eu.api.payments.example/refunds', { orderId }, { headers: { 'Idempotency-Key': crypto.randomUUID() } });
}`,
      options: [{ hosts: ['api.payments.example'] }],
      errors: [
        { messageId: 'missingHeader', line: 4, column: 9, data: { callee: 'fetch', method: 'POST', host: 'api.payments.example', header: 'Idempotency-Key' } },
        { messageId: 'freshHeader', line: 5, column: 89, data: { callee: 'axios.post', method: 'POST', host: 'api.payments.example', header: 'Idempotency-Key', source: 'crypto.randomUUID()' } },
      ],
    },
    {
      // Setup intents are not ignored by default: confirmed at create, a duplicate saves the card and makes a second mandate.
      filename,
      code: `${stripeSetup}
export async function saveCard(customer: string) {
  await stripe.setupIntents.create({ customer, confirm: true });
}`,
      errors: [
        {
          messageId: 'missingKey',
          line: 6,
          column: 9,
          data: { callee: 'stripe.setupIntents.create', packageName: 'stripe', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `${stripeSetup}
export async function saveCard(customer: string) {
  await stripe.setupIntents.create({ customer, confirm: true }, { idempotencyKey });
}`,
            },
          ],
        },
      ],
    },
    {
      // Emptied, the list reports the short-lived objects too; a method entry covers that method only.
      filename,
      code: `${stripeSetup}
export class Portal {
  constructor(private readonly stripe: Stripe) {}
  async open(customer: string, account: string) {
    await this.stripe.billingPortal.sessions.create({ customer });
    return this.stripe.accounts.createLoginLink(account);
  }
}`,
      options: [{ ignoreResources: [] }],
      errors: [
        {
          messageId: 'missingKey',
          line: 8,
          column: 11,
          data: { callee: 'stripe.billingPortal.sessions.create', packageName: 'stripe', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `${stripeSetup}
export class Portal {
  constructor(private readonly stripe: Stripe) {}
  async open(customer: string, account: string) {
    await this.stripe.billingPortal.sessions.create({ customer }, { idempotencyKey });
    return this.stripe.accounts.createLoginLink(account);
  }
}`,
            },
          ],
        },
        {
          messageId: 'missingKey',
          line: 9,
          column: 12,
          data: { callee: 'stripe.accounts.createLoginLink', packageName: 'stripe', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `${stripeSetup}
export class Portal {
  constructor(private readonly stripe: Stripe) {}
  async open(customer: string, account: string) {
    await this.stripe.billingPortal.sessions.create({ customer });
    return this.stripe.accounts.createLoginLink(account, undefined, { idempotencyKey });
  }
}`,
            },
          ],
        },
      ],
    },
    {
      // Entries match whole names from the end: checkout.sessions is not billingPortal.sessions, accounts.createLoginLink not accounts.create.
      filename,
      code: `${stripeSetup}
export async function open(customer: string) {
  await stripe.checkout.sessions.create({ mode: 'setup', customer });
  await stripe.billingPortal.sessions.create({ customer });
  await stripe.accounts.create({ type: 'express' });
}`,
      options: [{ ignoreResources: ['checkout.sessions', 'accounts.createLoginLink'] }],
      errors: [
        {
          messageId: 'missingKey',
          line: 7,
          column: 9,
          data: { callee: 'stripe.billingPortal.sessions.create', packageName: 'stripe', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `${stripeSetup}
export async function open(customer: string) {
  await stripe.checkout.sessions.create({ mode: 'setup', customer });
  await stripe.billingPortal.sessions.create({ customer }, { idempotencyKey });
  await stripe.accounts.create({ type: 'express' });
}`,
            },
          ],
        },
        {
          messageId: 'missingKey',
          line: 8,
          column: 9,
          data: { callee: 'stripe.accounts.create', packageName: 'stripe', property: 'idempotencyKey' },
          suggestions: [
            {
              messageId: 'addKey',
              output: `${stripeSetup}
export async function open(customer: string) {
  await stripe.checkout.sessions.create({ mode: 'setup', customer });
  await stripe.billingPortal.sessions.create({ customer });
  await stripe.accounts.create({ type: 'express' }, { idempotencyKey });
}`,
            },
          ],
        },
      ],
    },
  ],
});
