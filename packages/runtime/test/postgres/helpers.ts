import { createNoopMeter, type Counter, type Meter } from '@opentelemetry/api';
import { createHash, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createTestDatabase } from '../../../../test/setup/postgres.js';
import type { Logger, LogFields } from '../../src/logger.js';
import type { NewOperation } from '../../src/store/store.js';

/** A new, empty database on the run's shared PostgreSQL server (see test/setup/postgres.global.ts). */
export function freshDatabase(): Promise<string> {
  return createTestDatabase(inject('postgresUrl'), 'pgstore');
}

export function newOperation(overrides: Partial<Omit<NewOperation, 'payloadHash'>> = {}): NewOperation {
  const payload = overrides.payload ?? JSON.stringify({ idemKey: overrides.idemKey ?? 'key', amount: 100 });
  return {
    opId: randomUUID(),
    orchestrator: 'payment',
    scope: '',
    // eslint-disable-next-line safecall/no-random-idempotency-key -- each generated operation stands for a distinct request
    idemKey: `key-${randomUUID()}`,
    now: 1_000,
    ...overrides,
    payload,
    payloadHash: createHash('sha256').update(payload).digest('hex'),
  };
}

export interface RecordedLog {
  readonly level: keyof Logger;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

export function recordingLogger(): Logger & { readonly records: RecordedLog[] } {
  const records: RecordedLog[] = [];
  const at = (level: keyof Logger) => (message: string, fields?: LogFields) => void records.push({ level, message, fields });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A meter whose counters remember their totals by name; every other instrument is a no-op. */
export function recordingMeter(): Meter & { total(name: string): number } {
  const totals = new Map<string, number>();
  const noop = createNoopMeter();
  return Object.assign(Object.create(noop) as Meter, {
    createCounter(name: string): Counter {
      return { add: (value: number) => void totals.set(name, (totals.get(name) ?? 0) + value) };
    },
    total: (name: string) => totals.get(name) ?? 0,
  });
}

/** Resolves when `predicate` holds, checking every 20 ms; fails after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
