import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, backoffCeiling, backoffDelay, seededRandom, type BackoffPolicy } from '@safecall/runtime';
import { PaymentOrchestrator, FakeGateway } from './support/payments.js';

describe('backoff', () => {
  it('defaults to initial 1 s, factor 2, cap 5 min, full jitter, 8 attempts', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 1_000, factor: 2, maxMs: 300_000, jitter: 'full' });
    expect(DEFAULT_MAX_ATTEMPTS).toBe(8);
    expect(new PaymentOrchestrator(new FakeGateway()).options).toMatchObject({ maxAttempts: 8, backoff: DEFAULT_BACKOFF, timeoutMs: 30_000 });
  });

  it('grows the ceiling exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 10, 30].map((n) => backoffCeiling(n, DEFAULT_BACKOFF))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 128_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('waits exactly the ceiling without jitter', () => {
    const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, jitter: 'none' };
    expect(backoffDelay(3, policy, () => 0.5)).toBe(4_000);
  });

  it('keeps every jittered delay within [0, ceiling)', () => {
    const random = seededRandom(7);
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const ceiling = backoffCeiling(attempt, DEFAULT_BACKOFF);
      for (let i = 0; i < 500; i += 1) {
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('spreads full-jitter delays uniformly over [0, ceiling)', () => {
    const random = seededRandom(2026);
    const samples = 20_000;
    const buckets = Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < samples; i += 1) {
      const delay = backoffDelay(4, DEFAULT_BACKOFF, random); // ceiling 8 000 ms
      buckets[Math.floor(delay / 800)]! += 1;
      sum += delay;
    }
    // Each tenth of the range gets about a tenth of the samples; the mean is about half the ceiling.
    for (const count of buckets) expect(Math.abs(count - samples / 10)).toBeLessThan(samples / 10 / 10);
    expect(Math.abs(sum / samples - 4_000)).toBeLessThan(100);
  });

  it('is reproducible with a seeded random source', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const draws = (r: () => number) => Array.from({ length: 5 }, () => backoffDelay(6, DEFAULT_BACKOFF, r));
    expect(draws(a)).toEqual(draws(b));
    expect(draws(seededRandom(2))).not.toEqual(draws(seededRandom(1)));
  });

  it.each([
    [{ initialMs: -1 }, /backoff.initialMs must be a finite number >= 0, got -1/],
    [{ factor: 0.5 }, /backoff.factor must be a finite number >= 1, got 0.5/],
    [{ initialMs: 10_000, maxMs: 5_000 }, /backoff.maxMs must be finite and >= initialMs \(10000\), got 5000/],
  ])('refuses an invalid policy %j', (backoff, message) => {
    expect(() => new PaymentOrchestrator(new FakeGateway(), { backoff })).toThrow(message);
  });

  it('refuses an invalid maxAttempts or timeout', () => {
    expect(() => new PaymentOrchestrator(new FakeGateway(), { maxAttempts: 0 })).toThrow(/payment: maxAttempts must be a positive integer, got 0/);
    expect(() => new PaymentOrchestrator(new FakeGateway(), { timeoutMs: 1.5 })).toThrow(/payment: timeoutMs must be a positive integer/);
  });
});
