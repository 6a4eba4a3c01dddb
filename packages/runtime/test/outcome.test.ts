import { describe, expect, expectTypeOf, it } from 'vitest';
import { Outcome, type Fail, type Ok, type Retry } from '@safecall/runtime';

describe('Outcome', () => {
  it('builds the three kinds, discriminated on kind', () => {
    expect(Outcome.ok({ txId: 't' })).toEqual({ kind: 'ok', value: { txId: 't' } });
    expect(Outcome.retry('503')).toEqual({ kind: 'retry', reason: '503' });
    expect(Outcome.retry('429', { afterMs: 2_000 })).toEqual({ kind: 'retry', reason: '429', afterMs: 2_000 });
    expect(Outcome.retry('timeout', { uncertain: true })).toEqual({ kind: 'retry', reason: 'timeout', uncertain: true });
    expect(Outcome.fail('CARD_DECLINED', 'declined')).toEqual({ kind: 'fail', code: 'CARD_DECLINED', message: 'declined' });
    const cause = new Error('402');
    expect(Outcome.fail('CARD_DECLINED', 'declined', cause)).toEqual({ kind: 'fail', code: 'CARD_DECLINED', message: 'declined', cause });
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses afterMs %s', (afterMs) => {
    expect(() => Outcome.retry('x', { afterMs })).toThrow(/afterMs must be a finite number >= 0/);
  });

  it('match calls the handler of the outcome’s kind', () => {
    const describe = (outcome: Outcome<number>) =>
      Outcome.match(outcome, {
        ok: (ok) => `ok ${ok.value}`,
        retry: (retry) => `retry ${retry.reason}`,
        fail: (fail) => `fail ${fail.code}`,
      });
    expect(describe(Outcome.ok(1))).toBe('ok 1');
    expect(describe(Outcome.retry('busy'))).toBe('retry busy');
    expect(describe(Outcome.fail('NOPE', 'no'))).toBe('fail NOPE');
  });

  it('match is exhaustive at compile time', () => {
    // @ts-expect-error the fail handler is missing
    Outcome.match(Outcome.ok(1), { ok: () => 1, retry: () => 2 });
    expectTypeOf(Outcome.match<number, string>).parameter(1).toHaveProperty('fail');
  });

  it('guards narrow the union', () => {
    const outcomes: Outcome<string>[] = [Outcome.ok('a'), Outcome.retry('r'), Outcome.fail('F', 'f')];
    expect(outcomes.filter(Outcome.isOk).map((o) => o.value)).toEqual(['a']);
    expect(outcomes.filter(Outcome.isRetry).map((o) => o.reason)).toEqual(['r']);
    expect(outcomes.filter(Outcome.isFail).map((o) => o.code)).toEqual(['F']);
    const first = outcomes[0]!;
    if (Outcome.isOk(first)) expectTypeOf(first).toEqualTypeOf<Ok<string>>();
    if (Outcome.isRetry(first)) expectTypeOf(first).toEqualTypeOf<Retry>();
    if (Outcome.isFail(first)) expectTypeOf(first).toEqualTypeOf<Fail>();
  });

  it('isOutcome accepts well-formed outcomes only', () => {
    expect(Outcome.isOutcome(Outcome.ok(undefined))).toBe(true);
    expect(Outcome.isOutcome(Outcome.retry('r'))).toBe(true);
    expect(Outcome.isOutcome(Outcome.fail('F', 'f'))).toBe(true);
    for (const value of [true, undefined, null, 'ok', { kind: 'ok' }, { kind: 'retry' }, { kind: 'fail', code: 'F' }, { kind: 'done' }]) {
      expect(Outcome.isOutcome(value)).toBe(false);
    }
  });
});
