import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  Finalizer,
  IdempotencyConflictError,
  InvalidCommandError,
  MissingIdemKeyError,
  Outcome,
  PayloadTooLargeError,
  RateLimitedError,
  Reaper,
  RegistrationError,
  Runtime,
  RuntimeStoppedError,
  SqliteStore,
  UnknownOrchestratorError,
  ValidationFailedError,
  idempotencyKeyOf,
  silentLogger,
  type CommandOf,
  type FinalizeRecord,
  type ResultOf,
} from '@safecall/runtime';
import { charge, paymentHarness, PaymentOrchestrator, FakeGateway, PaymentFinalizer, PaymentReaper, type Charge, type ChargeCommand } from './support/payments.js';

describe('Runtime.register', () => {
  const store = new SqliteStore(':memory:');

  it('requires a Finalizer', () => {
    const runtime = new Runtime({ store });
    const register = () =>
      runtime.register(new PaymentOrchestrator(new FakeGateway()), { reaper: new PaymentReaper() } as never);
    expect(register).toThrow(RegistrationError);
    expect(register).toThrow(/register\("payment"\): a Finalizer is required \(got undefined\)/);
  });

  it('requires a Reaper', () => {
    const runtime = new Runtime({ store });
    expect(() =>
      runtime.register(new PaymentOrchestrator(new FakeGateway()), { finalizer: new PaymentFinalizer(), reaper: {} } as never),
    ).toThrow(/a Reaper is required \(got an instance of Object\)/);
  });

  it('refuses two orchestrators with one name', () => {
    const runtime = new Runtime({ store });
    const recovery = { finalizer: new PaymentFinalizer(), reaper: new PaymentReaper() };
    runtime.register(new PaymentOrchestrator(new FakeGateway()), recovery);
    expect(() => runtime.register(new PaymentOrchestrator(new FakeGateway()), recovery)).toThrow(/"payment" is already registered/);
  });

  it('refuses an orchestrator name that cannot be stored safely', () => {
    expect(() => new PaymentOrchestrator(new FakeGateway(), { name: '' })).toThrow(/Orchestrator name must start with a letter/);
  });
});

describe('Runtime.accept', () => {
  it('stores the command as an ACCEPTED operation and returns its id', async () => {
    const { runtime, events } = paymentHarness();
    const { opId, created } = await runtime.accept('payment', charge('o-1'));
    expect(created).toBe(true);
    expect(opId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(await runtime.get(opId)).toMatchObject({ state: 'ACCEPTED', attempt: 0, command: charge('o-1'), idemKey: 'charge-o-1' });
    expect(events).toEqual(['accepted new']);
  });

  it('returns the existing operation for a repeated key', async () => {
    const { runtime } = paymentHarness();
    const first = await runtime.accept('payment', charge('o-1'));
    const again = await runtime.accept('payment', { amount: 100, orderId: 'o-1', idemKey: 'charge-o-1' });
    expect(again).toEqual({ opId: first.opId, created: false });
  });

  it('keeps keys apart per scope', async () => {
    const { runtime } = paymentHarness();
    const a = await runtime.accept('payment', charge('o-1'), { scope: 'tenant-a' });
    const b = await runtime.accept('payment', charge('o-1'), { scope: 'tenant-b' });
    expect(a.opId).not.toBe(b.opId);
  });

  it('refuses the same key with a different payload', async () => {
    const { runtime } = paymentHarness();
    const first = await runtime.accept('payment', charge('o-1', 100));
    const conflict = runtime.accept('payment', charge('o-1', 999));
    await expect(conflict).rejects.toThrow(IdempotencyConflictError);
    await expect(conflict).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', existingOpId: first.opId, idemKey: 'charge-o-1' });
  });

  it.each([
    ['missing', { orderId: 'o-1', amount: 1 }],
    ['empty', { idemKey: '  ', orderId: 'o-1', amount: 1 }],
    ['not a string', { idemKey: 42, orderId: 'o-1', amount: 1 }],
  ])('refuses a command whose idemKey is %s', async (_case, cmd) => {
    const { runtime, store } = paymentHarness();
    await expect(runtime.accept('payment', cmd as never)).rejects.toThrow(MissingIdemKeyError);
    expect(await store.listOperations({ limit: 10 })).toEqual([]);
  });

  it('refuses an unknown orchestrator, naming the registered ones', async () => {
    const { runtime } = paymentHarness();
    await expect(runtime.accept('refund', charge('o-1'))).rejects.toThrow(UnknownOrchestratorError);
    await expect(runtime.accept('refund', charge('o-1'))).rejects.toThrow(/No orchestrator named "refund" is registered \(registered: "payment"\)/);
  });

  it('refuses a payload over the byte limit and writes nothing', async () => {
    const { runtime, store } = paymentHarness({ orchestrator: { maxPayloadBytes: 64 } });
    const big = { ...charge('o-1'), note: 'é'.repeat(40) };
    const refused = runtime.accept('payment', big);
    await expect(refused).rejects.toThrow(PayloadTooLargeError);
    await expect(refused).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: 64, bytes: Buffer.byteLength(JSON.stringify(big)) });
    expect(await store.listOperations({ limit: 10 })).toEqual([]);
  });

  it('refuses values JSON cannot store faithfully', async () => {
    const { runtime } = paymentHarness();
    await expect(runtime.accept('payment', { ...charge('o-1'), amount: Number.NaN })).rejects.toThrow(InvalidCommandError);
    await expect(runtime.accept('payment', { ...charge('o-1'), amount: 10n } as never)).rejects.toThrow(/"amount" is a bigint/);
  });

  it('validates with a Standard Schema (zod) and reports its issues, writing nothing', async () => {
    const schema = z.object({ idemKey: z.string(), orderId: z.string().min(1), amount: z.number().int().positive() });
    const { runtime, store } = paymentHarness({ orchestrator: { validator: schema } });
    const refused = runtime.accept('payment', { idemKey: 'k', orderId: '', amount: -5 });
    await expect(refused).rejects.toThrow(ValidationFailedError);
    const error = (await refused.catch((e: unknown) => e)) as ValidationFailedError;
    expect(error.issues.map((i) => i.path?.map(String).join('.'))).toEqual(['orderId', 'amount']);
    expect(error.message).toMatch(/^Command for "payment" failed validation: orderId: .+; amount: .+/);
    expect(await store.listOperations({ limit: 10 })).toEqual([]);
    await expect(runtime.accept('payment', charge('o-1'))).resolves.toMatchObject({ created: true });
  });

  it('stores what the validator returns, so defaults and coercions are part of the payload', async () => {
    const schema = z.object({ idemKey: z.string(), orderId: z.string(), amount: z.coerce.number(), currency: z.string().default('EUR') });
    const { runtime } = paymentHarness({ orchestrator: { validator: schema as never } });
    const { opId } = await runtime.accept('payment', { idemKey: 'k', orderId: 'o-1', amount: '12' } as never);
    expect((await runtime.get(opId))?.command).toEqual({ idemKey: 'k', orderId: 'o-1', amount: 12, currency: 'EUR' });
  });

  it('rate-limits with a token bucket and says when to retry', async () => {
    const { runtime, clock, store } = paymentHarness({ orchestrator: { rateLimit: { capacity: 2, refillPerSecond: 4 } } });
    await runtime.accept('payment', charge('o-1'));
    await runtime.accept('payment', charge('o-2'));
    const limited = runtime.accept('payment', charge('o-3'));
    await expect(limited).rejects.toThrow(RateLimitedError);
    await expect(limited).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 250 });
    expect(await store.listOperations({ limit: 10 })).toHaveLength(2);
    clock.advance(250);
    await expect(runtime.accept('payment', charge('o-3'))).resolves.toMatchObject({ created: true });
  });
});

describe('Runtime execution', () => {
  it('executes an accepted operation once, passes a stable key, and finalizes it in the domain table', async () => {
    const h = paymentHarness();
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toEqual([{ orderId: 'o-1', idempotencyKey: idempotencyKeyOf(opId), attempt: 1 }]);
    expect(await h.runtime.get(opId)).toMatchObject({
      state: 'SUCCEEDED',
      attempt: 1,
      outcome: { kind: 'ok', attempt: 1, value: { txId: 'tx-o-1' } },
      leaseOwner: null,
    });
    expect(h.payments(opId)).toEqual([{ attempt: 1, state: 'SUCCEEDED', tx_id: 'tx-o-1' }]);
    expect(await h.store.listWal(opId)).toMatchObject([{ attempt: 1, state: 'COMPLETED' }]);
    expect(h.events).toEqual([
      'accepted new',
      'claimed #1',
      'executing #1',
      'walAppended #1 ok',
      'finalizing #1',
      'finalized #1 applied SUCCEEDED',
    ]);
  });

  it('schedules a Retry with the persisted backoff and runs it when due, with the same key', async () => {
    const h = paymentHarness();
    h.gateway.behaviour = async (cmd, _ctx, call) => (call < 3 ? Outcome.retry('503 from gateway') : Outcome.ok({ txId: `tx-${cmd.orderId}` }));
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    const start = h.clock.now();
    await h.runtime.runUntilIdle();
    const op = await h.runtime.get(opId);
    expect(op).toMatchObject({ state: 'SUCCEEDED', attempt: 3 });
    expect(h.gateway.calls.map((c) => c.idempotencyKey)).toEqual(Array(3).fill(idempotencyKeyOf(opId)));
    const retries = (await h.store.listWal(opId)).filter((e) => e.outcome.kind === 'retry').map((e) => e.outcome);
    expect(retries).toHaveLength(2);
    for (const [index, outcome] of retries.entries()) {
      if (outcome.kind !== 'retry') throw new Error('unreachable');
      expect(outcome.reason).toBe('503 from gateway');
      expect(outcome.backoffMs).toBeGreaterThanOrEqual(0);
      expect(outcome.backoffMs).toBeLessThan(1000 * 2 ** index);
    }
    // The manual clock only moved to the persisted due times.
    expect(h.clock.now() - start).toBe(retries.reduce((sum, o) => sum + (o.kind === 'retry' ? o.backoffMs : 0), 0));
    expect(h.payments(opId).map((p) => p.state)).toEqual(['RETRY_SCHEDULED', 'RETRY_SCHEDULED', 'SUCCEEDED']);
  });

  it('waits exactly afterMs when a Retry asks for it', async () => {
    const h = paymentHarness();
    h.gateway.behaviour = async (_cmd, _ctx, call) => (call === 1 ? Outcome.retry('429', { afterMs: 7_000 }) : Outcome.ok({ txId: 't' }));
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    const [first] = await h.store.listWal(opId);
    expect(first?.outcome).toMatchObject({ kind: 'retry', backoffMs: 7_000, nextAttemptAt: first!.createdAt + 7_000 });
  });

  it('does not run a scheduled retry before it is due', async () => {
    const h = paymentHarness({ orchestrator: { backoff: { jitter: 'none' } } });
    h.gateway.behaviour = async () => Outcome.retry('busy');
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    const claimed = await h.store.claimDueOperations({ now: h.clock.now(), limit: 1, leaseOwner: 'x', leaseMs: 1, orchestrators: ['payment'] });
    expect(claimed).toHaveLength(1);
    await h.store.appendWal([
      { opId, attempt: 1, now: h.clock.now(), outcome: { kind: 'retry', attempt: 1, reason: 'r', uncertain: false, backoffMs: 1_000, nextAttemptAt: h.clock.now() + 1_000 } },
    ]);
    await h.store.finalizeWal([{ opId, attempt: 1 }], h.clock.now(), () => {});
    h.clock.advance(999);
    expect(await h.store.claimDueOperations({ now: h.clock.now(), limit: 1, leaseOwner: 'x', leaseMs: 1, orchestrators: ['payment'] })).toEqual([]);
  });

  it('fails after maxAttempts with RETRIES_EXHAUSTED and the last reason', async () => {
    const h = paymentHarness({ orchestrator: { maxAttempts: 3 } });
    h.gateway.behaviour = async (_cmd, ctx) => Outcome.retry(`timeout on attempt ${ctx.attempt}`);
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toHaveLength(3);
    expect(await h.runtime.get(opId)).toMatchObject({
      state: 'FAILED',
      attempt: 3,
      outcome: { kind: 'fail', code: 'RETRIES_EXHAUSTED', message: 'gave up after 3 attempt(s); last: timeout on attempt 3' },
    });
    expect(h.payments(opId).at(-1)).toMatchObject({ state: 'FAILED', attempt: 3 });
  });

  it('records a Fail at once, without retrying', async () => {
    const h = paymentHarness();
    h.gateway.behaviour = async () => Outcome.fail('CARD_DECLINED', 'insufficient funds', new Error('402'));
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toHaveLength(1);
    expect((await h.runtime.get(opId))?.outcome).toEqual({
      kind: 'fail',
      attempt: 1,
      code: 'CARD_DECLINED',
      message: 'insufficient funds',
      cause: 'Error: 402',
    });
  });

  it('records a thrown error as an uncertain Retry with a reason that names the fix', async () => {
    const h = paymentHarness({ orchestrator: { maxAttempts: 2 } });
    h.gateway.behaviour = async (_cmd, _ctx, call) => {
      if (call === 1) throw new TypeError('socket hang up');
      return Outcome.ok({ txId: 't' });
    };
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    const [first] = await h.store.listWal(opId);
    expect(first?.outcome).toMatchObject({
      kind: 'retry',
      uncertain: true,
      reason: 'executeInternal threw TypeError: socket hang up; return Outcome.retry or Outcome.fail instead of throwing',
    });
    expect((await h.runtime.get(opId))?.state).toBe('SUCCEEDED');
  });

  it.each([
    ['true', true],
    ['undefined', undefined],
    ['an object with an unknown kind', { kind: 'done' }],
  ])('records a non-Outcome return (%s) as an uncertain Retry', async (_name, returned) => {
    const h = paymentHarness({ orchestrator: { maxAttempts: 1 } });
    h.gateway.behaviour = async () => returned;
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    const [entry] = await h.store.listWal(opId);
    expect(entry?.outcome).toMatchObject({ kind: 'fail', code: 'RETRIES_EXHAUSTED' });
    expect(entry?.outcome.kind === 'fail' && entry.outcome.message).toMatch(
      /executeInternal returned .+ instead of an Outcome; return Outcome.ok, Outcome.retry or Outcome.fail/,
    );
  });

  it('aborts a call at the timeout and records it as an uncertain Retry', async () => {
    const h = paymentHarness({ orchestrator: { timeoutMs: 20, maxAttempts: 2 } });
    const signals: AbortSignal[] = [];
    h.gateway.behaviour = (_cmd, ctx, call) => {
      signals.push(ctx.signal);
      if (call === 2) return Promise.resolve(Outcome.ok({ txId: 't' }));
      return new Promise(() => {}); // a provider that never answers
    };
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(signals[0]?.aborted).toBe(true);
    const [first] = await h.store.listWal(opId);
    expect(first?.outcome).toMatchObject({
      kind: 'retry',
      uncertain: true,
      reason: 'executeInternal timed out after 20 ms; the request may have reached the provider',
    });
    expect(await h.runtime.get(opId)).toMatchObject({ state: 'SUCCEEDED', uncertain: false });
  });

  it('asks the Reaper to reconcile an uncertain attempt, and records what the provider knows without calling again', async () => {
    const h = paymentHarness({ reconcile: true, orchestrator: { timeoutMs: 20 } });
    h.gateway.behaviour = () => new Promise(() => {});
    h.reaper.answer = async (request) => Outcome.ok({ txId: `found-${request.command.orderId}` });
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toHaveLength(1);
    expect(h.reaper.reconciled).toHaveLength(1);
    expect(h.reaper.reconciled[0]).toMatchObject({
      opId,
      attempt: 2,
      idempotencyKey: idempotencyKeyOf(opId),
      command: charge('o-1'),
      previous: { kind: 'retry', uncertain: true, attempt: 1 },
    });
    expect(await h.runtime.get(opId)).toMatchObject({ state: 'SUCCEEDED', attempt: 2, outcome: { value: { txId: 'found-o-1' } } });
    expect(h.payments(opId).at(-1)).toEqual({ attempt: 2, state: 'SUCCEEDED', tx_id: 'found-o-1' });
  });

  it('executes again with the same key when reconcile does not know', async () => {
    const h = paymentHarness({ reconcile: true, orchestrator: { timeoutMs: 20 } });
    h.gateway.behaviour = (cmd, _ctx, call) => (call === 1 ? new Promise(() => {}) : Promise.resolve(Outcome.ok({ txId: cmd.orderId })));
    h.reaper.answer = async () => undefined;
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.reaper.reconciled).toHaveLength(1);
    expect(h.gateway.calls.map((c) => [c.attempt, c.idempotencyKey])).toEqual([
      [1, idempotencyKeyOf(opId)],
      [2, idempotencyKeyOf(opId)],
    ]);
    expect((await h.runtime.get(opId))?.state).toBe('SUCCEEDED');
  });

  it('keeps asking reconcile while the provider says it is still unknown', async () => {
    const h = paymentHarness({ reconcile: true, orchestrator: { timeoutMs: 20, maxAttempts: 8 } });
    h.gateway.behaviour = () => new Promise(() => {});
    let asked = 0;
    h.reaper.answer = async () => (++asked < 3 ? Outcome.retry('charge still processing', { afterMs: 1_000 }) : Outcome.fail('DECLINED', 'declined'));
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toHaveLength(1);
    expect(asked).toBe(3);
    expect(await h.runtime.get(opId)).toMatchObject({ state: 'FAILED', attempt: 4, outcome: { code: 'DECLINED' } });
  });

  it('retries without calling the provider when reconcile itself fails', async () => {
    const h = paymentHarness({ reconcile: true, orchestrator: { timeoutMs: 20, maxAttempts: 3 } });
    h.gateway.behaviour = () => new Promise(() => {});
    h.reaper.answer = async () => {
      throw new Error('provider search API down');
    };
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toHaveLength(1);
    expect((await h.runtime.get(opId))?.outcome).toMatchObject({
      code: 'RETRIES_EXHAUSTED',
      message: expect.stringContaining('reconcile threw Error: provider search API down'),
    });
  });

  it('runs many operations to completion', async () => {
    const h = paymentHarness({ runtime: { concurrency: 3 } });
    h.gateway.behaviour = async (cmd, ctx) => (ctx.attempt === 1 && Number(cmd.orderId) % 2 === 0 ? Outcome.retry('flaky') : Outcome.ok({ txId: cmd.orderId }));
    for (let i = 0; i < 20; i += 1) await h.runtime.accept('payment', charge(String(i)));
    await h.runtime.runUntilIdle();
    const ops = await h.store.listOperations({ limit: 100 });
    expect(ops.map((o) => o.state)).toEqual(Array(20).fill('SUCCEEDED'));
    expect(h.gateway.calls).toHaveLength(30);
  });
});

describe('Runtime recovery', () => {
  it('the finalizer loop applies a PENDING WAL entry left behind by a crash, with the domain write', async () => {
    const h = paymentHarness();
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    // A worker claimed, called the provider, appended the outcome and died before finalizing.
    await h.store.claimDueOperations({ now: h.clock.now(), limit: 1, leaseOwner: 'dead', leaseMs: 60_000, orchestrators: ['payment'] });
    await h.store.appendWal([{ opId, attempt: 1, now: h.clock.now(), outcome: { kind: 'ok', attempt: 1, value: { txId: 'tx-left' } } }]);
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toEqual([]);
    expect(await h.runtime.get(opId)).toMatchObject({ state: 'SUCCEEDED', outcome: { value: { txId: 'tx-left' } } });
    expect(h.payments(opId)).toEqual([{ attempt: 1, state: 'SUCCEEDED', tx_id: 'tx-left' }]);
  });

  it('the worker loop leaves young PENDING entries to their worker and recovers them after walRecoveryDelayMs', async () => {
    const h = paymentHarness({ runtime: { walRecoveryDelayMs: 5_000, pollIntervalMs: 5 } });
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.store.claimDueOperations({ now: h.clock.now(), limit: 1, leaseOwner: 'other', leaseMs: 60_000, orchestrators: ['payment'] });
    await h.store.appendWal([{ opId, attempt: 1, now: h.clock.now(), outcome: { kind: 'ok', attempt: 1, value: { txId: 'tx' } } }]);
    h.runtime.start();
    await sleep(50); // several poll intervals
    expect((await h.runtime.get(opId))?.state).toBe('IN_PROGRESS');
    h.clock.advance(5_001);
    await waitFor(async () => (await h.runtime.get(opId))?.state === 'SUCCEEDED');
    await h.runtime.stop();
  });

  it('the reaper reschedules an operation whose lease expired, and the retry reconciles first', async () => {
    const h = paymentHarness({ reconcile: true });
    h.reaper.answer = async () => undefined;
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    const [claimed] = await h.store.claimDueOperations({ now: h.clock.now(), limit: 1, leaseOwner: 'crashed-worker', leaseMs: 60_000, orchestrators: ['payment'] });
    await h.runtime.runUntilIdle();
    expect(h.events.filter((e) => e.startsWith('reaped'))).toEqual(['reaped #1 retry']);
    const [reaped] = await h.store.listWal(opId);
    expect(reaped?.outcome).toMatchObject({
      kind: 'retry',
      uncertain: true,
      reason: 'the lease of crashed-worker expired during attempt 1; the call may have reached the provider',
    });
    expect(reaped!.createdAt).toBe(claimed!.leaseExpiresAt);
    expect(h.reaper.reconciled).toHaveLength(1);
    expect(await h.runtime.get(opId)).toMatchObject({ state: 'SUCCEEDED', attempt: 2 });
    expect(h.gateway.calls).toEqual([{ orderId: 'o-1', idempotencyKey: idempotencyKeyOf(opId), attempt: 2 }]);
  });

  it('the reaper fails an expired operation when its Reaper decides so, or when attempts are used up', async () => {
    class GiveUpReaper extends Reaper<PaymentOrchestrator> {
      override decideExpired() {
        return { action: 'fail', code: 'STUCK', message: 'worker vanished' } as const;
      }
    }
    const store = new SqliteStore(':memory:');
    store.db.exec('CREATE TABLE payments (op_id TEXT, attempt INTEGER, state TEXT, tx_id TEXT)');
    const h = paymentHarness({ store });
    const runtime = new Runtime({ store, clock: h.clock, logger: silentLogger });
    runtime.register(new PaymentOrchestrator(h.gateway, { name: 'refund' }), { finalizer: new PaymentFinalizer(), reaper: new GiveUpReaper() });
    const { opId } = await runtime.accept('refund', charge('o-1'));
    await store.claimDueOperations({ now: h.clock.now(), limit: 1, leaseOwner: 'w', leaseMs: 10, orchestrators: ['refund'] });
    await runtime.runUntilIdle();
    expect(await runtime.get(opId)).toMatchObject({ state: 'FAILED', outcome: { code: 'STUCK', message: 'worker vanished' } });

    const exhausted = paymentHarness({ orchestrator: { maxAttempts: 1 } });
    const second = await exhausted.runtime.accept('payment', charge('o-2'));
    await exhausted.store.claimDueOperations({ now: exhausted.clock.now(), limit: 1, leaseOwner: 'w', leaseMs: 10, orchestrators: ['payment'] });
    await exhausted.runtime.runUntilIdle();
    expect(await exhausted.runtime.get(second.opId)).toMatchObject({ state: 'FAILED', outcome: { code: 'RETRIES_EXHAUSTED' } });
    expect(exhausted.gateway.calls).toEqual([]);
  });

  it('discards a late worker’s outcome once the reaper has decided its attempt', async () => {
    const h = paymentHarness({ runtime: { leaseMarginMs: 0 }, orchestrator: { timeoutMs: 1_000 } });
    let release!: () => void;
    h.gateway.behaviour = (_cmd, _ctx, call) =>
      call === 1 ? new Promise((resolve) => (release = () => resolve(Outcome.ok({ txId: 'late' })))) : Promise.resolve(Outcome.ok({ txId: 'second' }));
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    const slow = h.runtime.runUntilIdle();
    await waitFor(() => h.gateway.calls.length === 1);
    // Another process's reaper sees the lease expired and takes the operation back.
    const other = paymentHarness({ store: h.store });
    other.gateway.behaviour = async () => Outcome.ok({ txId: 'second' });
    other.clock.advance(h.clock.now() - other.clock.now() + 2_000);
    await other.runtime.runUntilIdle();
    expect(await other.runtime.get(opId)).toMatchObject({ state: 'SUCCEEDED', attempt: 2, outcome: { value: { txId: 'second' } } });
    release();
    await slow;
    expect(await h.runtime.get(opId)).toMatchObject({ state: 'SUCCEEDED', attempt: 2, outcome: { value: { txId: 'second' } } });
    expect((await h.store.listWal(opId)).map((e) => [e.attempt, e.outcome.kind])).toEqual([
      [1, 'retry'],
      [2, 'ok'],
    ]);
  });

  it('leaves a WAL entry PENDING when the Finalizer throws, and applies it on the next pass', async () => {
    const h = paymentHarness();
    h.finalizer.failNext = new Error('payments table locked');
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect(h.gateway.calls).toHaveLength(1);
    expect((await h.runtime.get(opId))?.state).toBe('SUCCEEDED');
    expect(h.payments(opId)).toEqual([{ attempt: 1, state: 'SUCCEEDED', tx_id: 'tx-o-1' }]);
  });

  it('prunes finished WAL entries and operations past retention in the worker loop', async () => {
    const h = paymentHarness({ runtime: { keyRetentionMs: 1_000, walRetentionMs: 500, pollIntervalMs: 5, pruneIntervalMs: 1 } });
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    h.clock.advance(2_000);
    h.runtime.start();
    await waitFor(async () => (await h.runtime.get(opId)) === undefined);
    expect(await h.store.listWal(opId)).toEqual([]);
    expect((await h.runtime.accept('payment', charge('o-1'))).created).toBe(true);
    await h.runtime.stop();
  });
});

describe('Runtime.start / stop', () => {
  it('the worker loop executes accepted operations in the background', async () => {
    const h = paymentHarness({ runtime: { pollIntervalMs: 5 } });
    h.runtime.start();
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await waitFor(async () => (await h.runtime.get(opId))?.state === 'SUCCEEDED');
    await h.runtime.stop();
  });

  it('stop waits for running attempts to finish and finalize', async () => {
    const h = paymentHarness({ runtime: { pollIntervalMs: 5 } });
    let release!: () => void;
    h.gateway.behaviour = () => new Promise((resolve) => (release = () => resolve(Outcome.ok({ txId: 'done' }))));
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    h.runtime.start();
    await waitFor(() => h.gateway.calls.length === 1);
    const stopped = h.runtime.stop();
    await expect(h.runtime.accept('payment', charge('o-2'))).rejects.toThrow(RuntimeStoppedError);
    release();
    await stopped;
    expect((await h.runtime.get(opId))?.state).toBe('SUCCEEDED');
  });

  it('stop aborts attempts still running after the grace period and records them as uncertain retries', async () => {
    const h = paymentHarness({ runtime: { pollIntervalMs: 5 } });
    let signal!: AbortSignal;
    h.gateway.behaviour = (_cmd, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    };
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    h.runtime.start();
    await waitFor(() => h.gateway.calls.length === 1);
    await h.runtime.stop({ graceMs: 10 });
    expect(signal.aborted).toBe(true);
    expect(await h.runtime.get(opId)).toMatchObject({
      state: 'RETRY_SCHEDULED',
      uncertain: true,
      outcome: { reason: 'executeInternal was aborted because the runtime stopped; the request may have reached the provider' },
    });
  });

  it('refuses accept, start and runUntilIdle after stop, with RuntimeStoppedError', async () => {
    const h = paymentHarness();
    await h.runtime.stop();
    await expect(h.runtime.accept('payment', charge('o-1'))).rejects.toMatchObject({ code: 'RUNTIME_STOPPED' });
    expect(() => h.runtime.start()).toThrow(RuntimeStoppedError);
    await expect(h.runtime.runUntilIdle()).rejects.toThrow(/Cannot run: the runtime was stopped/);
  });

  it('a throwing observer does not break the lifecycle', async () => {
    const h = paymentHarness({
      runtime: {
        observer: {
          executing: () => {
            throw new Error('observer bug');
          },
        },
      },
    });
    const { opId } = await h.runtime.accept('payment', charge('o-1'));
    await h.runtime.runUntilIdle();
    expect((await h.runtime.get(opId))?.state).toBe('SUCCEEDED');
  });
});

describe('Finalizer and Reaper typing', () => {
  it('gives the Finalizer its orchestrator’s command and result', async () => {
    const seen: Array<{ orderId: string; txId: string | undefined }> = [];
    class TypedFinalizer extends Finalizer<PaymentOrchestrator> {
      finalize(_tx: unknown, record: FinalizeRecord<CommandOf<PaymentOrchestrator>, ResultOf<PaymentOrchestrator>>): void {
        expectTypeOf(record.command).toEqualTypeOf<ChargeCommand>();
        seen.push({ orderId: record.command.orderId, txId: record.outcome.kind === 'ok' ? record.outcome.value.txId : undefined });
      }
    }
    const runtime = new Runtime({ store: new SqliteStore(':memory:'), logger: silentLogger });
    runtime.register(new PaymentOrchestrator(new FakeGateway()), { finalizer: new TypedFinalizer(), reaper: new PaymentReaper() });
    await runtime.accept('payment', charge('o-9'));
    await runtime.runUntilIdle();
    expect(seen).toEqual([{ orderId: 'o-9', txId: 'tx-o-9' }]);
    expectTypeOf<ResultOf<PaymentOrchestrator>>().toEqualTypeOf<Charge>();
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
