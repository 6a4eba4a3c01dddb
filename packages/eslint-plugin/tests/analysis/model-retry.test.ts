import { Linter } from 'eslint';
import * as parser from '@typescript-eslint/parser';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { defaultRetryOptions, findRetryLoop, findRetryRecursion, isLoop, isSleep, type Retry } from '../../src/analysis/model-retry.js';
import { isFunctionNode } from '../../src/analysis/transaction-scope.js';

// The retry definition both retry rules share, pinned on its own: what the step is, whether the loop
// stops on success, and what sends it round.

interface Found {
  readonly line: number;
  readonly trigger: string;
  readonly steps: string[];
  readonly sleeps: number;
}

/** Lints `code` with a probe rule that records every retry loop or recursion the analysis finds. */
function analyse(code: string): { loops: Found[]; recursions: Found[]; sleeps: string[] } {
  const loops: Found[] = [];
  const recursions: Found[] = [];
  const sleeps: string[] = [];
  const probe: TSESLint.RuleModule<never> = {
    meta: { type: 'problem', schema: [], messages: {} },
    defaultOptions: [],
    create(context) {
      const describeRetry = (retry: Retry, node: TSESTree.Node): Found => ({
        line: node.loc.start.line,
        trigger: retry.trigger,
        steps: retry.steps.map((step) => context.sourceCode.getText(step.callee)),
        sleeps: retry.sleeps.length,
      });
      return {
        '*'(node: TSESTree.Node) {
          if (isLoop(node)) {
            const retry = findRetryLoop(node, context.sourceCode, defaultRetryOptions);
            if (retry) loops.push(describeRetry(retry, node));
          } else if (isFunctionNode(node)) {
            const retry = findRetryRecursion(node, context.sourceCode, defaultRetryOptions);
            if (retry) recursions.push(describeRetry(retry, node));
          } else if ((node.type === 'CallExpression' || node.type === 'NewExpression') && isSleep(node, context.sourceCode, defaultRetryOptions)) {
            sleeps.push(context.sourceCode.getText(node));
          }
        },
      };
    },
  };
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(code, [
    {
      files: ['**/*.ts'],
      languageOptions: { parser, sourceType: 'module' },
      plugins: { probe: { rules: { probe: probe as never } } },
      rules: { 'probe/probe': 'error' },
    },
  ], 'probe.ts');
  expect(messages.filter((message) => message.fatal)).toEqual([]);
  return { loops, recursions, sleeps };
}

describe('findRetryLoop', () => {
  it('finds the repeated step and classifies a caught error as the trigger', () => {
    const { loops } = analyse(`
export async function charge(client: any, order: { id: string }) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      console.log('attempt', attempt);
      return await client.charge(order.id);
    } catch {
      await sleep(100 * attempt);
    }
  }
}`);
    expect(loops).toEqual([{ line: 3, trigger: 'error', steps: ['client.charge'], sleeps: 1 }]);
  });

  it('classifies a failed HTTP status and a state that is not reached yet', () => {
    const { loops } = analyse(`
export async function go(url: string, id: string) {
  while (true) {
    const res = await fetch(url);
    if (res.status >= 500) continue;
    return res;
  }
}
export async function poll(api: any, id: string) {
  let job = await api.get(id);
  while (job.state !== 'done') {
    await sleep(1000);
    job = await api.get(id);
  }
}`);
    expect(loops).toEqual([
      { line: 3, trigger: 'status', steps: ['fetch'], sleeps: 0 },
      { line: 11, trigger: 'state', steps: ['api.get'], sleeps: 1 },
    ]);
  });

  it('is not a retry when every call changes with the loop or nothing stops it on success', () => {
    const { loops } = analyse(`
export async function walk(api: any, ids: string[], state: { running: boolean }) {
  for (const id of ids) {
    try { await api.send(id); } catch { await sleep(10); }
  }
  let cursor: string | undefined;
  do {
    const page = await api.list({ cursor });
    cursor = page.next;
  } while (cursor);
  while (true) {
    if (!state.running) break;
    await api.ping();
    await sleep(1000);
  }
}`);
    expect(loops).toEqual([]);
  });

  it('leaves nested loops to themselves, except for the returns that leave both', () => {
    const { loops } = analyse(`
export async function sync(api: any, batches: string[][]) {
  for (const batch of batches) {
    let tries = 0;
    while (tries < 3) {
      try { await api.upload(batch); break; } catch { tries++; await sleep(100); }
    }
  }
}`);
    expect(loops).toEqual([{ line: 5, trigger: 'error', steps: ['api.upload'], sleeps: 1 }]);
  });
});

describe('findRetryRecursion', () => {
  it('finds self-calls from a catch, a .catch callback and a setTimeout callback', () => {
    const { recursions } = analyse(`
export async function send(m: unknown, n = 3): Promise<void> {
  try { await mailer.send(m); } catch (e) { if (n === 0) throw e; await sleep(10); return send(m, n - 1); }
}
export function post(m: unknown, n = 3): Promise<unknown> {
  return client.post(m).catch(() => post(m, n - 1));
}
export function push(m: unknown, n = 0): void {
  client.push(m).catch(() => { if (n < 3) setTimeout(() => push(m, n + 1), 1000); });
}`);
    expect(recursions).toEqual([
      { line: 2, trigger: 'error', steps: ['mailer.send'], sleeps: 1 },
      { line: 5, trigger: 'error', steps: ['client.post'], sleeps: 0 },
      { line: 8, trigger: 'error', steps: ['client.push'], sleeps: 1 },
    ]);
  });

  it('is not a retry when the self-call walks on with the result (pagination, trees)', () => {
    const { recursions } = analyse(`
export async function all(api: any, cursor?: string): Promise<unknown[]> {
  const page = await api.list({ cursor });
  if (page.next) { await sleep(100); return [...page.items, ...(await all(api, page.next))]; }
  return page.items;
}`);
    expect(recursions).toEqual([]);
  });
});

describe('isSleep', () => {
  it('knows awaited sleeps by name, by timers/promises, by promisify and by a local timer promise', () => {
    const { sleeps } = analyse(`
import { setTimeout as wait } from 'node:timers/promises';
import { promisify } from 'node:util';
const nap = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
async function hold(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
export class Poller {
  private pauseFor(ms: number) { return new Promise((resolve) => setTimeout(resolve, ms)); }
  private pauseField = promisify(setTimeout);
  async run() {
    await this.pauseFor(10);
    await this.pauseField(11);
    await hold(12);
    await this.flush(13);
  }
  private async flush(ms: number) { return ms; }
}
export async function pauses(self: any) {
  await sleep(1);
  await self.delay(2);
  await wait(3);
  await promisify(setTimeout)(4);
  await nap(5);
  await new Promise((r) => setTimeout(() => r(undefined), 6));
  setTimeout(() => self.flush(), 7);
  await new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 8));
  const later = sleep(9);
  await later;
}`);
    expect(sleeps).toEqual([
      // The timer promises inside hold() and pauseFor() are pauses themselves.
      'new Promise((resolve) => setTimeout(resolve, ms))',
      'new Promise((resolve) => setTimeout(resolve, ms))',
      'this.pauseFor(10)',
      'this.pauseField(11)',
      'hold(12)',
      'sleep(1)',
      'self.delay(2)',
      'wait(3)',
      'promisify(setTimeout)(4)',
      'nap(5)',
      'new Promise((r) => setTimeout(() => r(undefined), 6))',
    ]);
  });
});
