import { afterEach, describe, expect, it } from 'vitest';
import { FakeProvider } from './fake-provider.js';
import { createCharge, ProviderRejectedError } from './provider-client.js';

// The crash tests trust this provider's records; these tests pin down that it behaves like a real
// provider that honours idempotency keys.
describe('the fake provider used by the crash tests', () => {
  let provider: FakeProvider | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });

  const call = (idempotencyKey: string, attempt = 1) => ({ idempotencyKey, opId: `op-${idempotencyKey}`, attempt });

  it('creates one charge per key and replays it for a repeated key', async () => {
    provider = await FakeProvider.start();
    const first = await createCharge(provider.url, { orderId: 'o1', amount: 500 }, call('k1', 1));
    const repeat = await createCharge(provider.url, { orderId: 'o1', amount: 500 }, call('k1', 2));
    const other = await createCharge(provider.url, { orderId: 'o2', amount: 700 }, call('k2'));

    expect(repeat).toEqual(first);
    expect(other.chargeId).not.toBe(first.chargeId);
    expect(provider.calls.map((c) => [c.idempotencyKey, c.attempt, c.effect])).toEqual([
      ['k1', 1, true],
      ['k1', 2, false],
      ['k2', 1, true],
    ]);
    expect(provider.effectsPerKey()).toEqual(new Map([['k1', 1], ['k2', 1]]));
    expect(provider.keysSeen()).toEqual(new Set(['k1', 'k2']));
  });

  it('refuses a repeated key with a different payload with 422 and records no effect', async () => {
    provider = await FakeProvider.start();
    await createCharge(provider.url, { orderId: 'o1', amount: 500 }, call('k1'));

    const refused = createCharge(provider.url, { orderId: 'o1', amount: 999 }, call('k1', 2));

    await expect(refused).rejects.toThrow(ProviderRejectedError);
    await expect(refused).rejects.toThrow(/422/);
    expect(provider.calls).toHaveLength(1);
    expect(provider.chargeFor('k1')?.request.amount).toBe(500);
  });

  it('refuses a request without an idempotency key', async () => {
    provider = await FakeProvider.start();
    await expect(createCharge(provider.url, { orderId: 'o1', amount: 1 }, call(''))).rejects.toThrow(/400/);
    expect(provider.calls).toHaveLength(0);
  });

  it('records the effect before a delayed answer, so a caller that gives up still leaves one', async () => {
    const arrived: string[] = [];
    provider = await FakeProvider.start({
      responseDelayMs: () => 60_000,
      onCall: (c) => arrived.push(c.idempotencyKey),
    });
    const abort = new AbortController();
    let acted = false;

    const charge = createCharge(
      provider.url,
      { orderId: 'o1', amount: 500 },
      {
        ...call('k1'),
        signal: abort.signal,
        onProviderActed: () => {
          acted = true;
          abort.abort();
        },
      },
    );

    await expect(charge).rejects.toThrow(/abort/i);
    expect(acted).toBe(true);
    expect(arrived).toEqual(['k1']);
    expect(provider.effectsPerKey().get('k1')).toBe(1);
  });
});
