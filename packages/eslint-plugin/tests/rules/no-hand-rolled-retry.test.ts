import rule from '../../src/rules/no-hand-rolled-retry.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const sleep = 'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));';

createUntypedRuleTester().run('no-hand-rolled-retry', rule, {
  valid: [
    // Pauses between batches of different items are rate limiting, not retries.
    `
import sgMail from '@sendgrid/mail';
${sleep}
export async function sendNewsletter(batches: string[][]) {
  for (const batch of batches) {
    await sgMail.send({ to: batch, from: 'news@example.com', subject: 'News', text: '...' });
    await sleep(1000);
  }
}`,
    // Paging through a list with a pause: each request asks for the next page.
    `
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
}`,
    // A shutdown wait and polling a local file.
    `
import { existsSync } from 'node:fs';
${sleep}
export async function drain(state: { inFlight: number }, lockFile: string) {
  while (state.inFlight > 0) await sleep(100);
  while (!existsSync(lockFile)) {
    await sleep(500);
  }
}`,
    // Retrying a database read is not a network call to a provider.
    `
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
}`,
    // A job queue's managed retries and a retry library's own call.
    `
import pRetry from 'p-retry';
import axios from 'axios';
export async function schedule(queue: any, orderId: string) {
  await queue.add('charge', { orderId }, { attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
  await pRetry(() => axios.post('https://api.example.com/orders', { orderId }), { retries: 5, randomize: true });
}`,
    // A heartbeat runs until stopped from outside; it does not stop when the call succeeds.
    `
import axios from 'axios';
${sleep}
export async function heartbeat(state: { running: boolean }) {
  while (state.running) {
    await axios.post('https://monitor.example.com/heartbeat');
    await sleep(30_000);
  }
}`,
    // A request timeout is a timer, not a sleep between tries.
    `
export async function fetchAll(urls: string[]) {
  const bodies = [];
  for (const url of urls) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5000);
    bodies.push(await (await fetch(url, { signal: controller.signal })).text());
  }
  return bodies;
}`,
  ],
  invalid: [
    {
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
      // Re-sending on a not-ok status, with an inline timer promise.
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
      // Polling a provider until it reports done, with break on success.
      code: `
import axios from 'axios';
import { setTimeout as wait } from 'node:timers/promises';
export async function waitForExport(id: string) {
  let status = 'pending';
  do {
    status = (await axios.get(\`https://exports.example.com/jobs/\${id}\`)).data.status;
    await wait(2000);
  } while (status !== 'done');
}`,
      errors: [{ messageId: 'retryLoop', line: 6, column: 3, data: { callee: 'axios.get', packageName: 'axios', through: '' } }],
    },
    {
      // A recursive retry helper.
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
  ],
});

createTypedRuleTester().run('no-hand-rolled-retry (typed)', rule, {
  valid: [],
  invalid: [
    {
      // The loop calls a service that reaches Stripe through an interface in other files.
      filename: 'no-hand-rolled-retry/case.ts',
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
  ],
});
