import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseForESLint } from '@typescript-eslint/parser';
import { beforeAll } from 'vitest';
import rule from '../../src/rules/no-hand-rolled-retry.js';
import { createTypedRuleTester, createUntypedRuleTester, fixturesDir } from '../rule-tester.js';

const sleep = 'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));';

createUntypedRuleTester().run('no-hand-rolled-retry', rule, {
  valid: [
    {
      name: 'pauses between batches of different items are rate limiting, not retries',
      code: `
import sgMail from '@sendgrid/mail';
${sleep}
export async function sendNewsletter(batches: string[][]) {
  for (const batch of batches) {
    try {
      await sgMail.send({ to: batch, from: 'news@example.com', subject: 'News', text: '...' });
    } catch (error) {
      console.error('batch failed', error);
    }
    await sleep(1000);
  }
}`,
    },
    {
      name: 'rate limiting by index, and a queue drained in slices',
      code: `
import Stripe from 'stripe';
${sleep}
const stripe = new Stripe('sk');
export async function refundAll(ids: string[], queue: string[]) {
  for (let i = 0; i < ids.length; i++) {
    await stripe.refunds.create({ payment_intent: ids[i] });
    await sleep(100);
  }
  while (queue.length > 0) {
    const slice = queue.splice(0, 10);
    await Promise.all(slice.map((id) => stripe.refunds.create({ payment_intent: id })));
    await sleep(1000);
  }
}`,
    },
    {
      name: 'paging through a list with a pause: each request asks for the next page',
      code: `
import Stripe from 'stripe';
${sleep}
const stripe = new Stripe('sk');
export async function allCustomers() {
  let cursor: string | undefined;
  const all = [];
  do {
    const page = await stripe.customers.list({ starting_after: cursor, limit: 100 });
    all.push(...page.data);
    cursor = page.has_more ? page.data[page.data.length - 1]?.id : undefined;
    await sleep(200);
  } while (cursor);
  return all;
}
export async function pages(url: string): Promise<unknown[]> {
  const response = await fetch(url);
  const page = await response.json();
  if (page.next) {
    await sleep(200);
    return [...page.items, ...(await pages(page.next))];
  }
  return page.items;
}`,
    },
    {
      name: 'a shutdown wait and polling a local file',
      code: `
import { existsSync } from 'node:fs';
${sleep}
export async function drain(state: { inFlight: number }, lockFile: string) {
  while (state.inFlight > 0) await sleep(100);
  while (!existsSync(lockFile)) {
    await sleep(500);
  }
}`,
    },
    {
      name: 'retrying a database read, and polling the database for a row',
      code: `
${sleep}
export async function loadUser(prisma: any, id: string) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await prisma.user.findUniqueOrThrow({ where: { id } });
    } catch {
      await sleep(50 * 2 ** attempt);
    }
  }
  throw new Error('user not found');
}
export async function waitForRow(db: any, id: string) {
  while (true) {
    const row = await db.query('SELECT * FROM jobs WHERE id = $1', [id]);
    if (row.rows.length > 0) return row.rows[0];
    await sleep(250);
  }
}`,
    },
    {
      name: "a job queue's managed retries and retry libraries' own calls",
      code: `
import pRetry from 'p-retry';
import retry from 'async-retry';
import { backOff } from 'exponential-backoff';
import { retry as retryPolicy, handleAll, ExponentialBackoff } from 'cockatiel';
import axios from 'axios';
export async function schedule(queue: any, orderId: string) {
  await queue.add('charge', { orderId }, { attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
  await pRetry(() => axios.post('https://api.example.com/orders', { orderId }), { retries: 5, randomize: true });
  await retry(async () => axios.post('https://api.example.com/orders', { orderId }), { retries: 3 });
  await backOff(() => axios.post('https://api.example.com/orders', { orderId }), { jitter: 'full' });
  const policy = retryPolicy(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });
  await policy.execute(() => axios.post('https://api.example.com/orders', { orderId }));
}`,
    },
    {
      name: 'a heartbeat runs until stopped from outside; it does not stop when the call succeeds',
      code: `
import axios from 'axios';
${sleep}
export async function heartbeat(state: { running: boolean }) {
  while (true) {
    if (!state.running) break;
    try {
      await axios.post('https://monitor.example.com/heartbeat');
    } catch (error) {
      console.warn(error);
    }
    await sleep(30_000);
  }
}`,
    },
    {
      name: 'a request timeout is a timer, not a sleep between tries',
      code: `
export async function fetchAll(urls: string[]) {
  const bodies = [];
  for (const url of urls) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5000);
    bodies.push(await (await fetch(url, { signal: controller.signal })).text());
  }
  return bodies;
}
export async function withTimeout(url: string) {
  while (true) {
    const response = await Promise.race([fetch(url), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000))]);
    if (response.ok) return response;
  }
}`,
    },
    {
      name: 'failing over to the next host is a walk over hosts',
      code: `
${sleep}
export async function firstHealthy(hosts: string[]) {
  for (const host of hosts) {
    try {
      return await fetch(\`https://\${host}/health\`);
    } catch {
      await sleep(100);
    }
  }
  throw new Error('no healthy host');
}`,
    },
    {
      // Grey area, decided quiet: polling re-reads a resource that was already created until it reaches a
      // state. Nothing is re-sent, so there is no double effect; a bound and jitter still help, and inside
      // executeInternal no-retry-loop-in-execute reports the sleep.
      name: 'polling a provider for the state of an export that was already created',
      code: `
import axios from 'axios';
import Stripe from 'stripe';
import { setTimeout as wait } from 'node:timers/promises';
const stripe = new Stripe('sk');
export async function waitForExport(id: string) {
  let status = 'pending';
  do {
    status = (await axios.get(\`https://exports.example.com/jobs/\${id}\`)).data.status;
    await wait(2000);
  } while (status !== 'done');
}
export async function waitForIntent(id: string) {
  for (let i = 0; i < 30; i++) {
    const intent = await stripe.paymentIntents.retrieve(id);
    if (intent.status === 'succeeded') return intent;
    await wait(1000);
  }
  throw new Error('intent did not settle');
}`,
    },
    {
      name: 'clearing pending invoice items in batches: each delete acts on what the list just returned',
      code: `
import Stripe from 'stripe';
${sleep}
export async function clearPendingItems(stripe: Stripe, customer: string) {
  while (true) {
    const page = await stripe.invoiceItems.list({ customer, pending: true, limit: 100 });
    if (page.data.length === 0) break;
    await Promise.all(page.data.map((item) => stripe.invoiceItems.del(item.id)));
    await stripe.customers.update(customer, { metadata: { cleared: String(page.data.length) } });
    await sleep(100);
  }
}`,
    },
    {
      name: 'an interceptor that refreshes the token and re-sends once, without waiting',
      code: `
import axios from 'axios';
const api = axios.create({ baseURL: 'https://api.example.com' });
api.interceptors.response.use(undefined, async (error) => {
  if (error.response?.status !== 401 || error.config.refreshed) throw error;
  error.config.headers.authorization = await refreshToken();
  error.config.refreshed = true;
  return api(error.config);
});
declare function refreshToken(): Promise<string>;`,
    },
    {
      name: 'waiting for a server on this machine to come up',
      code: `
${sleep}
export async function waitForServer(port: number) {
  for (let i = 0; i < 50; i++) {
    try {
      const response = await fetch(\`http://localhost:\${port}/health\`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('server did not start');
}`,
    },
    {
      name: 'a consumer loop that runs until shut down',
      code: `
import { SQSClient, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
${sleep}
export async function consume(sqs: SQSClient, state: { running: boolean }, handle: (m: unknown) => Promise<void>) {
  while (state.running) {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: 'q', WaitTimeSeconds: 20 }));
    if (!received.Messages?.length) {
      await sleep(1000);
      continue;
    }
    for (const message of received.Messages) await handle(message);
  }
}`,
    },
    {
      name: 'a generic retry helper whose callers in the file only retry database reads',
      code: `
${sleep}
async function retry<T>(fn: () => Promise<T>, retries = 3): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (retries === 0) throw error;
    await sleep(100);
    return retry(fn, retries - 1);
  }
}
export const users = (prisma: any) => retry(() => prisma.user.findMany());`,
    },
    {
      name: "inside an Orchestrator's executeInternal no-retry-loop-in-execute reports it instead",
      code: `
import { Orchestrator, Outcome } from '@safecall/runtime';
import Stripe from 'stripe';
${sleep}
export class PaymentOrchestrator extends Orchestrator<any, unknown> {
  constructor(private readonly stripe: Stripe) { super(); }
  protected async executeInternal(opId: string, cmd: any) {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return Outcome.ok(await this.stripe.paymentIntents.create({ amount: cmd.amount, currency: 'eur' }));
      } catch {
        await sleep(1000);
      }
    }
    return Outcome.retry('stripe down');
  }
}`,
    },
  ],
  invalid: [
    {
      name: 'a counted loop with backoff around a module-level client',
      code: `
import Stripe from 'stripe';
${sleep}
const stripe = new Stripe('sk');
export async function charge(orderId: string, amount: number) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await stripe.paymentIntents.create({ amount, currency: 'eur' }, { idempotencyKey: orderId });
    } catch (error) {
      if (attempt === 3) throw error;
      await sleep(1000 * attempt);
    }
  }
}`,
      errors: [{ messageId: 'retryLoop', line: 6, column: 3, data: { callee: 'stripe.paymentIntents.create', packageName: 'stripe', through: '' } }],
    },
    {
      name: 're-sending on a not-ok status, with an inline timer promise',
      code: `
export async function post(url: string, body: string) {
  let attempt = 0;
  while (true) {
    const response = await fetch(url, { method: 'POST', body });
    if (response.ok) return response.json();
    attempt++;
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
}`,
      errors: [{ messageId: 'retryLoop', line: 4, column: 3, data: { callee: 'fetch', packageName: 'fetch', through: '' } }],
    },
    {
      name: 'a client held in a class field, a while (true) whose catch sleeps',
      code: `
import twilio from 'twilio';
import { setTimeout as delay } from 'timers/promises';
export class SmsSender {
  private readonly client = twilio('sid', 'token');
  async send(to: string, body: string) {
    let attempt = 0;
    while (true) {
      try {
        return await this.client.messages.create({ to, from: '+100', body });
      } catch (error) {
        if (++attempt >= 5) throw error;
        await delay(250 * attempt);
      }
    }
  }
}`,
      errors: [{ messageId: 'retryLoop', line: 8, column: 5, data: { callee: 'client.messages.create', packageName: 'twilio', through: '' } }],
    },
    {
      name: 'a client passed into a helper, a do-while whose catch continues after a promisified timer',
      code: `
import { promisify } from 'node:util';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
const pause = promisify(setTimeout);
export async function upload(s3: S3Client, key: string, body: Buffer) {
  let done = false;
  let tries = 0;
  do {
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: body }));
      done = true;
    } catch {
      tries++;
      await pause(500);
      continue;
    }
  } while (!done && tries < 5);
}`,
      errors: [{ messageId: 'retryLoop', line: 8, column: 3, data: { callee: 's3.send', packageName: '@aws-sdk/client-s3', through: '' } }],
    },
    {
      name: 'a status check that continues on 5xx, with a sleep under a name of its own',
      code: `
import axios from 'axios';
const nap = (ms: number) => new Promise<void>((done) => { setTimeout(() => done(), ms); });
export async function createShipment(payload: object) {
  for (let i = 0; i < 5; i++) {
    const res = await axios.post('https://api.shipper.example/shipments', payload, { validateStatus: () => true });
    if (res.status >= 500 || res.status === 429) {
      await nap(2 ** i * 100);
      continue;
    }
    return res.data;
  }
  throw new Error('shipper unavailable');
}`,
      errors: [{ messageId: 'retryLoop', line: 5, column: 3, data: { callee: 'axios.post', packageName: 'axios', through: '' } }],
    },
    {
      name: 'a read retried after it failed is still a retry (only polling for a state is left alone)',
      code: `
import axios from 'axios';
${sleep}
export async function rates() {
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return (await axios.get('https://rates.example.com/eur')).data;
    } catch (error) {
      lastError = error;
      await sleep(300);
    }
  }
  throw lastError;
}`,
      errors: [{ messageId: 'retryLoop', line: 6, column: 3, data: { callee: 'axios.get', packageName: 'axios', through: '' } }],
    },
    {
      name: 'polling by re-sending a mutation until it reports success',
      code: `
import axios from 'axios';
${sleep}
export async function capture(id: string) {
  while (true) {
    const result = await axios.post(\`https://psp.example.com/payments/\${id}/capture\`);
    if (result.data.state === 'captured') break;
    await sleep(1000);
  }
}`,
      errors: [{ messageId: 'retryLoop', line: 5, column: 3, data: { callee: 'axios.post', packageName: 'axios', through: '' } }],
    },
    {
      name: 'a recursive retry helper',
      code: `
import sgMail from '@sendgrid/mail';
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export async function sendWithRetry(message: any, attempt = 0): Promise<void> {
  try {
    await sgMail.send(message);
  } catch (error) {
    if (attempt >= 3) throw error;
    await delay(1000);
    return sendWithRetry(message, attempt + 1);
  }
}`,
      errors: [{ messageId: 'retryRecursion', line: 4, column: 23, data: { name: 'sendWithRetry', callee: 'sgMail.send', packageName: '@sendgrid/mail', through: '' } }],
    },
    {
      name: 'recursion on a failed status, from a .catch() callback, and from a setTimeout callback',
      code: `
import nodemailer from 'nodemailer';
${sleep}
const transport = nodemailer.createTransport({ host: 'smtp.example.com' });
export const getRates = async (n = 3): Promise<unknown> => {
  const res = await fetch('https://rates.example.com');
  if (!res.ok && n > 0) {
    await sleep(500);
    return getRates(n - 1);
  }
  return res.json();
};
export function post(url: string, body: string, tries = 3): Promise<Response> {
  return fetch(url, { method: 'POST', body }).catch(async (error) => {
    if (tries === 0) throw error;
    await sleep(1000);
    return post(url, body, tries - 1);
  });
}
export class Mailer {
  mail(to: string, attempt = 0): void {
    transport.sendMail({ to, subject: 'Hi' }).catch(() => {
      if (attempt < 3) setTimeout(() => this.mail(to, attempt + 1), 1000 * 2 ** attempt);
    });
  }
}`,
      errors: [
        { messageId: 'retryRecursion', line: 5, column: 14, data: { name: 'getRates', callee: 'fetch', packageName: 'fetch', through: '' } },
        { messageId: 'retryRecursion', line: 13, column: 17, data: { name: 'post', callee: 'fetch', packageName: 'fetch', through: '' } },
        { messageId: 'retryRecursion', line: 21, column: 3, data: { name: 'mail', callee: 'transport.sendMail', packageName: 'nodemailer', through: '' } },
      ],
    },
    {
      name: 'generic helpers, recursive and looping, judged by the calls their callers pass in',
      code: `
import Stripe from 'stripe';
${sleep}
const stripe = new Stripe('sk');
async function retry<T>(fn: () => Promise<T>, retries = 3, delay = 1000): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (retries > 0) {
      await sleep(delay);
      return retry(fn, retries - 1, delay * 2);
    }
    throw error;
  }
}
export async function withRetry<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= 4) throw error;
      await sleep(100 * 2 ** attempt);
    }
  }
}
export const api = {
  post: (path: string, body: unknown) => retry(async () => (await fetch(\`https://api.example.com\${path}\`, { method: 'POST', body: JSON.stringify(body) })).json()),
  refund: (id: string) => withRetry(() => stripe.refunds.create({ payment_intent: id })),
};`,
      errors: [
        { messageId: 'retryRecursion', line: 5, column: 16, data: { name: 'retry', callee: 'fetch', packageName: 'fetch', through: " (passed to 'retry' on line 27)" } },
        { messageId: 'retryLoop', line: 17, column: 3, data: { callee: 'stripe.refunds.create', packageName: 'stripe', through: " (passed to 'withRetry' on line 28)" } },
      ],
    },
    {
      name: 'a class with a recursive request method and a withRetry method its other methods use',
      code: `
import axios from 'axios';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
export class ApiClient {
  private readonly http = axios.create({ baseURL: 'https://api.example.com' });
  constructor(private readonly s3: S3Client) {}
  private sleep(ms: number) { return new Promise((resolve) => setTimeout(resolve, ms)); }
  async request(path: string, attempt = 0): Promise<unknown> {
    try {
      return (await this.http.get(path)).data;
    } catch (error) {
      if (attempt < 3) {
        await this.sleep(1000 * 2 ** attempt);
        return this.request(path, attempt + 1);
      }
      throw error;
    }
  }
  private async withRetry<T>(fn: () => Promise<T>, retries = 3): Promise<T> {
    let lastError: unknown;
    for (let i = 0; i < retries; i++) {
      try {
        return await fn();
      } catch (error) {
        lastError = error;
        await this.sleep(500);
      }
    }
    throw lastError;
  }
  upload(key: string, body: Buffer) {
    return this.withRetry(() => this.s3.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: body })));
  }
}`,
      errors: [
        { messageId: 'retryRecursion', line: 8, column: 9, data: { name: 'request', callee: 'http.get', packageName: 'axios', through: '' } },
        { messageId: 'retryLoop', line: 21, column: 5, data: { callee: 's3.send', packageName: '@aws-sdk/client-s3', through: " (passed to 'withRetry' on line 32)" } },
      ],
    },
    {
      name: 'a catch that continues on one branch and gives up on the other',
      code: `
export class MarketplaceApi {
  private sleep(ms: number) { return new Promise((resolve) => setTimeout(resolve, ms)); }
  async call<T>(url: string, token: string): Promise<T | null> {
    for (let attempt = 0; attempt <= 3; attempt++) {
      try {
        const res = await fetch(url, { headers: { authorization: token } });
        return (await res.json()) as T;
      } catch (error) {
        if (attempt < 3) {
          await this.sleep(1000 * 2 ** attempt);
          continue;
        }
        return null;
      }
    }
    return null;
  }
}`,
      errors: [{ messageId: 'retryLoop', line: 5, column: 5, data: { callee: 'fetch', packageName: 'fetch', through: '' } }],
    },
    {
      name: 'an axios response-error interceptor that re-sends after a sleep',
      code: `
import axios from 'axios';
const api = axios.create({ baseURL: 'https://api.example.com' });
api.interceptors.response.use(
  (response) => response,
  async (error) => {
    const config = error.config;
    config.retryCount = (config.retryCount ?? 0) + 1;
    if (config.retryCount > 3) return Promise.reject(error);
    await new Promise((resolve) => setTimeout(resolve, 1000 * config.retryCount));
    return api.request(config);
  },
);`,
      errors: [{ messageId: 'retryInterceptor', line: 4, column: 1, data: { callee: 'api.request', packageName: 'axios', through: '' } }],
    },
  ],
});

const typedFile = 'no-hand-rolled-retry/case.ts';

// The first typed case builds the fixture program; on a loaded machine that alone can take longer
// than a test's timeout, so it is built here, under the hook timeout.
beforeAll(() => {
  const { services } = parseForESLint('export {};', {
    project: './tsconfig.json',
    tsconfigRootDir: fixturesDir,
    filePath: path.join(fixturesDir, typedFile),
    range: true,
    loc: true,
  });
  services.program?.getTypeChecker();
}, 180_000);

createTypedRuleTester().run('no-hand-rolled-retry (typed)', rule, {
  valid: [
    {
      name: 'polling a wrapped provider for a status, and retrying a repository read',
      filename: typedFile,
      code: `
import { OrderRecords, ShippingLabels } from './shipping';
${sleep}
export async function waitForLabel(labels: ShippingLabels, id: string) {
  while ((await labels.status(id)) !== 'printed') await sleep(1000);
}
export async function loadOrder(records: OrderRecords, id: string) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await records.find(id);
    } catch {
      await sleep(100);
    }
  }
  return undefined;
}`,
    },
  ],
  invalid: [
    {
      name: 'the loop calls a service that reaches Stripe through an interface in other files',
      filename: typedFile,
      code: `
import { PaymentService } from '../no-external-call-in-transaction/settlement';
${sleep}
export async function settleWithRetry(payments: PaymentService, id: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await payments.settlePayment(id, 100);
    } catch {
      await sleep(250);
    }
  }
  return undefined;
}`,
      errors: [
        {
          messageId: 'retryLoop',
          line: 5,
          column: 3,
          data: {
            callee: 'payments.settlePayment',
            packageName: 'stripe',
            through: ' (payments.settlePayment → handler.settle (StripeSettlementHandler.settle) → stripe.paymentIntents.capture)',
          },
        },
      ],
    },
    {
      name: 'a generic helper in its own file, called from another file with a wrapped provider call',
      filename: 'no-hand-rolled-retry/retry-helper.ts',
      code: readFileSync(path.join(fixturesDir, 'no-hand-rolled-retry/retry-helper.ts'), 'utf8'),
      errors: [
        {
          messageId: 'retryRecursion',
          line: 4,
          column: 23,
          data: { name: 'retry', callee: 'labels.create', packageName: 'axios', through: " (labels.create → http.post) (passed to 'retry' at callers.ts:5)" },
        },
      ],
    },
    {
      name: 'a service held in a field, wrapping the SDK, retried on a retryable error',
      filename: typedFile,
      code: `
import { ShippingLabels } from './shipping';
${sleep}
const isRetryable = (error: unknown) => error instanceof Error && error.message.includes('503');
export class Fulfilment {
  constructor(private readonly labels: ShippingLabels) {}
  async label(orderId: string): Promise<string> {
    while (true) {
      try {
        return await this.labels.create(orderId);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        await sleep(500);
      }
    }
  }
}`,
      errors: [
        {
          messageId: 'retryLoop',
          line: 8,
          column: 5,
          data: { callee: 'labels.create', packageName: 'axios', through: ' (labels.create → http.post)' },
        },
      ],
    },
  ],
});
