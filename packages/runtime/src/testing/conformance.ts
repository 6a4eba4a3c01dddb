import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newOpId } from '../command.js';
import type { FinalizeHook, NewOperation, OperationRow, Store, StoredOutcome, WalKey } from '../store/store.js';

/** What the conformance suite needs from a store under test. */
export interface ConformanceStore<Tx> {
  /** A store on a fresh, empty database. */
  readonly store: Store<Tx>;
  /** Writes a row into a domain table of the same database through a finalize transaction's handle. */
  writeDomainRow(tx: Tx, key: string): void | Promise<void>;
  /** Whether that row is committed, read outside any finalize transaction. */
  hasDomainRow(key: string): Promise<boolean>;
  /** A second connection to the same database, so concurrent claims really race (omit for :memory:). */
  openSecondConnection?(): Promise<{ readonly store: Store<Tx>; close(): Promise<void> }>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const ORCHESTRATOR = 'payment';
const LEASE_MS = 60_000;

/**
 * The contract every Store must keep, as vitest tests. Run it with a function that opens a store on an
 * empty database:
 *
 *   describeStoreConformance('SqliteStore', async () => { ...; return { store, writeDomainRow, hasDomainRow, close } });
 */
export function describeStoreConformance<Tx>(name: string, openStore: () => Promise<ConformanceStore<Tx>>): void {
  describe(`Store conformance: ${name}`, () => {
    let subject: ConformanceStore<Tx>;
    let store: Store<Tx>;
    const noHook: FinalizeHook<Tx> = () => {};

    beforeEach(async () => {
      subject = await openStore();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    async function accept(overrides: Partial<NewOperation> = {}): Promise<OperationRow> {
      const { operation } = await store.insertOperation(newOperation(overrides));
      return operation;
    }

    async function claimOne(now = T0, orchestrators: readonly string[] = [ORCHESTRATOR]): Promise<OperationRow> {
      const [claimed] = await store.claimDueOperations({ now, limit: 1, leaseOwner: 'worker-a', leaseMs: LEASE_MS, orchestrators });
      if (!claimed) throw new Error('expected a due operation to claim');
      return claimed;
    }

    /** Appends the outcome for the operation's current attempt and finalizes it. */
    async function record(operation: OperationRow, outcome: StoredOutcome, now = T0, hook = noHook) {
      const key = { opId: operation.opId, attempt: outcome.attempt };
      expect(await store.appendWal([{ ...key, outcome, now }])).toEqual([true]);
      const [result] = await store.finalizeWal([key], now, hook);
      return result!;
    }

    describe('accept (insertOperation)', () => {
      it('stores a new operation as ACCEPTED, due now, with no attempt yet', async () => {
        const op = newOperation();
        const result = await store.insertOperation(op);
        expect(result.created).toBe(true);
        expect(result.operation).toMatchObject({
          opId: op.opId,
          orchestrator: ORCHESTRATOR,
          scope: op.scope,
          idemKey: op.idemKey,
          payload: op.payload,
          payloadHash: op.payloadHash,
          state: 'ACCEPTED',
          attempt: 0,
          nextAttemptAt: T0,
          leaseOwner: null,
          leaseExpiresAt: null,
          uncertain: false,
          outcome: null,
          createdAt: T0,
          updatedAt: T0,
        });
        expect(await store.getOperation(op.opId)).toEqual(result.operation);
      });

      it('returns the existing operation for a repeated key, without inserting another', async () => {
        const first = await store.insertOperation(newOperation({ idemKey: 'order-1' }));
        const second = await store.insertOperation(newOperation({ idemKey: 'order-1', now: T0 + 5 }));
        expect(second.created).toBe(false);
        expect(second.operation).toEqual(first.operation);
        expect(await store.listOperations({ limit: 10 })).toHaveLength(1);
      });

      it('returns the existing payload hash when a key is reused with another payload, so the caller can refuse it', async () => {
        await store.insertOperation(newOperation({ idemKey: 'order-1', payload: '{"amount":1}' }));
        const reuse = await store.insertOperation(newOperation({ idemKey: 'order-1', payload: '{"amount":2}' }));
        expect(reuse.created).toBe(false);
        expect(reuse.operation.payload).toBe('{"amount":1}');
        expect(reuse.operation.payloadHash).toBe(sha256('{"amount":1}'));
      });

      it('keys are unique per orchestrator and scope', async () => {
        const results = await Promise.all([
          store.insertOperation(newOperation({ idemKey: 'k' })),
          store.insertOperation(newOperation({ idemKey: 'k', scope: 'tenant-2' })),
          store.insertOperation(newOperation({ idemKey: 'k', orchestrator: 'email' })),
        ]);
        expect(results.map((r) => r.created)).toEqual([true, true, true]);
        expect(new Set(results.map((r) => r.operation.opId)).size).toBe(3);
      });

      it('lets exactly one of many concurrent inserts of one key create the operation', async () => {
        const second = await subject.openSecondConnection?.();
        try {
          const stores = second ? [store, second.store] : [store];
          const results = await Promise.all(
            Array.from({ length: 40 }, (_, i) => stores[i % stores.length]!.insertOperation(newOperation({ idemKey: 'race' }))),
          );
          expect(results.filter((r) => r.created)).toHaveLength(1);
          expect(new Set(results.map((r) => r.operation.opId)).size).toBe(1);
        } finally {
          await second?.close();
        }
      });

      it('returns undefined for an unknown opId', async () => {
        expect(await store.getOperation(newOpId())).toBeUndefined();
      });
    });

    describe('claim', () => {
      it('claims a due operation: IN_PROGRESS, attempt + 1, leased to the claimer until now + leaseMs', async () => {
        const op = await accept();
        const [claimed] = await store.claimDueOperations({
          now: T0 + 10,
          limit: 5,
          leaseOwner: 'worker-a',
          leaseMs: LEASE_MS,
          orchestrators: [ORCHESTRATOR],
        });
        expect(claimed).toMatchObject({
          opId: op.opId,
          state: 'IN_PROGRESS',
          attempt: 1,
          leaseOwner: 'worker-a',
          leaseExpiresAt: T0 + 10 + LEASE_MS,
          updatedAt: T0 + 10,
        });
        expect(await store.getOperation(op.opId)).toEqual(claimed);
      });

      it('does not claim operations that are not due yet, in progress, or of other orchestrators', async () => {
        await accept({ now: T0 + 1000 });
        await accept({ orchestrator: 'email' });
        const inProgress = await accept();
        await claimOne(T0);
        expect((await store.getOperation(inProgress.opId))?.state).toBe('IN_PROGRESS');
        expect(
          await store.claimDueOperations({ now: T0 + 999, limit: 10, leaseOwner: 'w', leaseMs: LEASE_MS, orchestrators: [ORCHESTRATOR] }),
        ).toEqual([]);
      });

      it('claims at most `limit`, earliest due first', async () => {
        const late = await accept({ now: T0 + 20 });
        const early = await accept({ now: T0 + 10 });
        await accept({ now: T0 + 30 });
        const claimed = await store.claimDueOperations({
          now: T0 + 100,
          limit: 2,
          leaseOwner: 'w',
          leaseMs: LEASE_MS,
          orchestrators: [ORCHESTRATOR],
        });
        expect(claimed.map((o) => o.opId).sort()).toEqual([early.opId, late.opId].sort());
      });

      it('never gives one operation to two concurrent claimers', async () => {
        const second = await subject.openSecondConnection?.();
        try {
          for (let i = 0; i < 30; i += 1) await accept();
          const stores = second ? [store, second.store] : [store];
          const claimers = Array.from({ length: 6 }, async (_, i) => {
            const mine: string[] = [];
            for (;;) {
              const batch = await stores[i % stores.length]!.claimDueOperations({
                now: T0,
                limit: 2,
                leaseOwner: `worker-${i}`,
                leaseMs: LEASE_MS,
                orchestrators: [ORCHESTRATOR],
              });
              if (batch.length === 0) return mine;
              mine.push(...batch.map((o) => o.opId));
            }
          });
          const claimed = (await Promise.all(claimers)).flat();
          expect(claimed).toHaveLength(30);
          expect(new Set(claimed).size).toBe(30);
        } finally {
          await second?.close();
        }
      });
    });

    describe('WAL and finalize', () => {
      it('keeps the first outcome recorded for an attempt and refuses later ones', async () => {
        await accept();
        const op = await claimOne();
        const key = { opId: op.opId, attempt: 1 };
        const results = await store.appendWal([
          { ...key, outcome: ok(1, 'first'), now: T0 },
          { ...key, outcome: fail(1), now: T0 },
        ]);
        expect(results).toEqual([true, false]);
        expect(await store.appendWal([{ ...key, outcome: ok(1, 'late'), now: T0 + 1 }])).toEqual([false]);
        const wal = await store.listWal(op.opId);
        expect(wal).toEqual([{ ...key, outcome: ok(1, 'first'), state: 'PENDING', createdAt: T0, completedAt: null }]);
      });

      it('appends several entries at once', async () => {
        await accept();
        await accept();
        const [a, b] = await store.claimDueOperations({ now: T0, limit: 2, leaseOwner: 'w', leaseMs: LEASE_MS, orchestrators: [ORCHESTRATOR] });
        expect(
          await store.appendWal([
            { opId: a!.opId, attempt: 1, outcome: ok(1), now: T0 },
            { opId: b!.opId, attempt: 1, outcome: fail(1), now: T0 },
          ]),
        ).toEqual([true, true]);
        expect((await store.listPendingWal({ createdBefore: T0 + 1, limit: 10, orchestrators: [ORCHESTRATOR] })).length).toBe(2);
      });

      it('applies an Ok: SUCCEEDED with the outcome, lease cleared, entry COMPLETED, hook given both', async () => {
        await accept();
        const op = await claimOne();
        const seen: Array<{ entry: unknown; operation: OperationRow }> = [];
        const result = await record(op, ok(1, { txId: 'tx_1' }), T0 + 50, (_tx, entry, operation) => {
          seen.push({ entry, operation });
        });
        expect(result.status).toBe('applied');
        const expected = {
          opId: op.opId,
          state: 'SUCCEEDED',
          attempt: 1,
          outcome: ok(1, { txId: 'tx_1' }),
          nextAttemptAt: null,
          leaseOwner: null,
          leaseExpiresAt: null,
          uncertain: false,
          updatedAt: T0 + 50,
        };
        expect(result.operation).toMatchObject(expected);
        expect(await store.getOperation(op.opId)).toMatchObject(expected);
        expect(seen).toHaveLength(1);
        expect(seen[0]!.operation).toMatchObject(expected);
        expect(seen[0]!.entry).toMatchObject({ opId: op.opId, attempt: 1, outcome: ok(1, { txId: 'tx_1' }) });
        expect(await store.listWal(op.opId)).toEqual([
          { opId: op.opId, attempt: 1, outcome: ok(1, { txId: 'tx_1' }), state: 'COMPLETED', createdAt: T0 + 50, completedAt: T0 + 50 },
        ]);
      });

      it('applies a Fail: FAILED, never claimed again', async () => {
        await accept();
        const op = await claimOne();
        expect((await record(op, fail(1))).operation).toMatchObject({ state: 'FAILED', outcome: fail(1) });
        expect(await store.claimDueOperations({ now: T0 + 1e9, limit: 5, leaseOwner: 'w', leaseMs: 1, orchestrators: [ORCHESTRATOR] })).toEqual([]);
      });

      it('applies a Retry: RETRY_SCHEDULED until nextAttemptAt, then claimable as the next attempt', async () => {
        await accept();
        const op = await claimOne();
        const outcome = retry(1, T0 + 2_000, true);
        expect((await record(op, outcome)).operation).toMatchObject({
          state: 'RETRY_SCHEDULED',
          nextAttemptAt: T0 + 2_000,
          uncertain: true,
          outcome,
        });
        expect(await store.claimDueOperations({ now: T0 + 1_999, limit: 5, leaseOwner: 'w', leaseMs: LEASE_MS, orchestrators: [ORCHESTRATOR] })).toEqual(
          [],
        );
        const again = await claimOne(T0 + 2_000);
        expect(again).toMatchObject({ opId: op.opId, attempt: 2, state: 'IN_PROGRESS', uncertain: true });
      });

      it('fences: an entry for an attempt the operation does not hold is marked STALE and changes nothing', async () => {
        await accept();
        const op = await claimOne();
        await record(op, retry(1, T0));
        const second = await claimOne(T0);
        expect(second.attempt).toBe(2);
        let hookCalls = 0;
        const countHook: FinalizeHook<Tx> = () => {
          hookCalls += 1;
        };
        // A late worker of attempt 1 cannot even append: attempt 1 already has its outcome.
        expect(await store.appendWal([{ opId: op.opId, attempt: 1, outcome: ok(1), now: T0 }])).toEqual([false]);
        expect(await store.finalizeWal([{ opId: op.opId, attempt: 1 }], T0, countHook)).toMatchObject([{ status: 'absent' }]);
        // An entry for an attempt that is not the operation's current one is never applied.
        expect(await store.appendWal([{ opId: op.opId, attempt: 3, outcome: ok(3), now: T0 }])).toEqual([true]);
        const [stale] = await store.finalizeWal([{ opId: op.opId, attempt: 3 }], T0 + 1, countHook);
        expect(stale).toMatchObject({ status: 'stale', operation: { state: 'IN_PROGRESS', attempt: 2 } });
        expect(hookCalls).toBe(0);
        expect(await store.getOperation(op.opId)).toEqual(second);
        expect((await store.listWal(op.opId)).map((e) => [e.attempt, e.state])).toEqual([
          [1, 'COMPLETED'],
          [3, 'STALE'],
        ]);
        // The current attempt still finalizes normally.
        expect((await record(second, ok(2))).operation).toMatchObject({ state: 'SUCCEEDED', attempt: 2 });
      });

      it('marks an entry STALE once its operation is terminal', async () => {
        await accept();
        const op = await claimOne();
        await record(op, fail(1));
        expect(await store.appendWal([{ opId: op.opId, attempt: 2, outcome: ok(2), now: T0 }])).toEqual([true]);
        expect(await store.finalizeWal([{ opId: op.opId, attempt: 2 }], T0, noHook)).toMatchObject([
          { status: 'stale', operation: { state: 'FAILED' } },
        ]);
      });

      it('reports absent for a key with no entry', async () => {
        await accept();
        const op = await claimOne();
        expect(await store.finalizeWal([{ opId: op.opId, attempt: 1 }], T0, noHook)).toEqual([
          { opId: op.opId, attempt: 1, status: 'absent' },
        ]);
      });

      it('applies an entry once when two finalizers race for it', async () => {
        await accept();
        const op = await claimOne();
        const key = { opId: op.opId, attempt: 1 };
        await store.appendWal([{ ...key, outcome: ok(1), now: T0 }]);
        let hookCalls = 0;
        const hook: FinalizeHook<Tx> = async (tx) => {
          hookCalls += 1;
          await subject.writeDomainRow(tx, `race-${hookCalls}`);
        };
        const second = await subject.openSecondConnection?.();
        try {
          const results = await Promise.all([
            store.finalizeWal([key], T0, hook),
            (second?.store ?? store).finalizeWal([key], T0, hook),
          ]);
          expect(results.flat().map((r) => r.status).sort()).toEqual(['absent', 'applied']);
          expect(hookCalls).toBe(1);
        } finally {
          await second?.close();
        }
      });

      it('commits the hook’s domain writes in the same transaction as the outcome', async () => {
        await accept();
        const op = await claimOne();
        await record(op, ok(1), T0, (tx) => subject.writeDomainRow(tx, `paid-${op.opId}`));
        expect(await subject.hasDomainRow(`paid-${op.opId}`)).toBe(true);
      });

      it('rolls back the outcome, the WAL completion and the domain writes together when the hook fails', async () => {
        await accept();
        const op = await claimOne();
        const key = { opId: op.opId, attempt: 1 };
        await store.appendWal([{ ...key, outcome: ok(1), now: T0 }]);
        const boom = new Error('domain constraint violated');
        const [failed] = await store.finalizeWal([key], T0, async (tx) => {
          await subject.writeDomainRow(tx, 'half-written');
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw boom;
        });
        expect(failed).toMatchObject({ ...key, status: 'failed', error: boom });
        expect(await subject.hasDomainRow('half-written')).toBe(false);
        expect(await store.getOperation(op.opId)).toEqual(op);
        expect((await store.listWal(op.opId))[0]?.state).toBe('PENDING');
        // The entry is still there to be finalized again.
        const [retried] = await store.finalizeWal([key], T0 + 1, (tx) => subject.writeDomainRow(tx, 'second-try'));
        expect(retried?.status).toBe('applied');
        expect(await subject.hasDomainRow('second-try')).toBe(true);
      });

      it('finalizes each entry of a batch on its own: one failing hook does not undo the others', async () => {
        for (let i = 0; i < 3; i += 1) await accept();
        const claimed = await store.claimDueOperations({ now: T0, limit: 3, leaseOwner: 'w', leaseMs: LEASE_MS, orchestrators: [ORCHESTRATOR] });
        const keys: WalKey[] = claimed.map((o) => ({ opId: o.opId, attempt: 1 }));
        await store.appendWal(keys.map((key) => ({ ...key, outcome: ok(1), now: T0 })));
        const poisoned = keys[1]!.opId;
        const results = await store.finalizeWal(keys, T0, async (tx, entry) => {
          await subject.writeDomainRow(tx, `row-${entry.opId}`);
          if (entry.opId === poisoned) throw new Error('poisoned');
        });
        expect(results.map((r) => [r.opId, r.status])).toEqual(keys.map((k) => [k.opId, k.opId === poisoned ? 'failed' : 'applied']));
        for (const key of keys) expect(await subject.hasDomainRow(`row-${key.opId}`)).toBe(key.opId !== poisoned);
        expect((await store.getOperation(poisoned))?.state).toBe('IN_PROGRESS');
      });

      it('lists PENDING entries created before a time, oldest first, for the given orchestrators only', async () => {
        await accept();
        await accept();
        await accept({ orchestrator: 'email' });
        const ops = await store.claimDueOperations({ now: T0, limit: 2, leaseOwner: 'w', leaseMs: LEASE_MS, orchestrators: [ORCHESTRATOR] });
        const email = await claimOne(T0, ['email']);
        await store.appendWal([{ opId: ops[1]!.opId, attempt: 1, outcome: ok(1), now: T0 + 10 }]);
        await store.appendWal([{ opId: ops[0]!.opId, attempt: 1, outcome: ok(1), now: T0 + 20 }]);
        await store.appendWal([{ opId: email.opId, attempt: 1, outcome: ok(1), now: T0 + 5 }]);
        const pending = await store.listPendingWal({ createdBefore: T0 + 30, limit: 10, orchestrators: [ORCHESTRATOR] });
        expect(pending.map((e) => e.opId)).toEqual([ops[1]!.opId, ops[0]!.opId]);
        expect(await store.listPendingWal({ createdBefore: T0 + 20, limit: 10, orchestrators: [ORCHESTRATOR] })).toHaveLength(1);
        expect(await store.listPendingWal({ createdBefore: T0 + 30, limit: 1, orchestrators: [ORCHESTRATOR, 'email'] })).toMatchObject([
          { opId: email.opId },
        ]);
        await store.finalizeWal([{ opId: ops[1]!.opId, attempt: 1 }], T0 + 30, noHook);
        expect((await store.listPendingWal({ createdBefore: T0 + 30, limit: 10, orchestrators: [ORCHESTRATOR] })).map((e) => e.opId)).toEqual([
          ops[0]!.opId,
        ]);
      });
    });

    describe('reaper support', () => {
      it('finds IN_PROGRESS operations whose lease has expired, and only those', async () => {
        await accept();
        await accept();
        await accept({ orchestrator: 'email' });
        const early = await claimOne(T0);
        const late = await claimOne(T0 + 1_000);
        await claimOne(T0, ['email']);
        const query = { limit: 10, orchestrators: [ORCHESTRATOR] };
        expect(await store.findExpiredLeases({ ...query, now: T0 + LEASE_MS - 1 })).toEqual([]);
        expect((await store.findExpiredLeases({ ...query, now: T0 + LEASE_MS })).map((o) => o.opId)).toEqual([early.opId]);
        expect((await store.findExpiredLeases({ ...query, now: T0 + LEASE_MS + 1_000 })).map((o) => o.opId)).toEqual([early.opId, late.opId]);
      });

      it('records a reaper decision like any outcome: the expired attempt is rescheduled as uncertain, and its late worker is refused', async () => {
        await accept();
        const op = await claimOne();
        const now = T0 + LEASE_MS;
        const [expired] = await store.findExpiredLeases({ now, limit: 10, orchestrators: [ORCHESTRATOR] });
        const decided = await record(expired!, retry(1, now + 500, true), now);
        expect(decided.operation).toMatchObject({ state: 'RETRY_SCHEDULED', uncertain: true, leaseOwner: null });
        expect(await store.findExpiredLeases({ now: now + 1e9, limit: 10, orchestrators: [ORCHESTRATOR] })).toEqual([]);
        expect(await store.appendWal([{ opId: op.opId, attempt: 1, outcome: ok(1), now: now + 1 }])).toEqual([false]);
        expect((await claimOne(now + 500)).attempt).toBe(2);
      });

      it('records a reaper decision to fail the operation', async () => {
        await accept();
        const op = await claimOne();
        const decided = await record(op, fail(1, 'RETRIES_EXHAUSTED'), T0 + LEASE_MS);
        expect(decided.operation).toMatchObject({ state: 'FAILED', outcome: { code: 'RETRIES_EXHAUSTED' } });
      });

      it('reports the next time work is due: the earliest due attempt or lease expiry, null when all are terminal', async () => {
        const query = { orchestrators: [ORCHESTRATOR] };
        expect(await store.nextWakeAt(query)).toBeNull();
        await accept({ now: T0 + 5_000 });
        expect(await store.nextWakeAt(query)).toBe(T0 + 5_000);
        await accept({ now: T0 });
        const running = await claimOne(T0 + 100);
        expect(running.leaseExpiresAt).toBe(T0 + 100 + LEASE_MS);
        expect(await store.nextWakeAt(query)).toBe(T0 + 5_000);
        expect(await store.nextWakeAt({ orchestrators: ['email'] })).toBeNull();
        await record(running, ok(1));
        const other = await claimOne(T0 + 5_000);
        await record(other, fail(1));
        expect(await store.nextWakeAt(query)).toBeNull();
      });
    });

    describe('retention', () => {
      it('deletes finished WAL entries older than the cutoff in batches, and keeps PENDING and newer ones', async () => {
        const finishedAt: number[] = [];
        for (let i = 0; i < 5; i += 1) {
          await accept({ now: T0 + i });
          const op = await claimOne(T0 + i);
          await record(op, ok(1), T0 + i);
          finishedAt.push(T0 + i);
        }
        await accept();
        const pending = await claimOne(T0);
        await store.appendWal([{ opId: pending.opId, attempt: 1, outcome: ok(1), now: T0 }]);

        expect(await store.deleteFinishedWal({ createdBefore: T0 + 4, limit: 3 })).toBe(3);
        expect(await store.deleteFinishedWal({ createdBefore: T0 + 4, limit: 3 })).toBe(1);
        expect(await store.deleteFinishedWal({ createdBefore: T0 + 4, limit: 3 })).toBe(0);
        expect(await store.listPendingWal({ createdBefore: T0 + 10, limit: 10, orchestrators: [ORCHESTRATOR] })).toHaveLength(1);
        const remaining = await Promise.all((await store.listOperations({ limit: 10 })).map((o) => store.listWal(o.opId)));
        expect(remaining.flat().map((e) => e.state).sort()).toEqual(['COMPLETED', 'PENDING']);
      });

      it('prunes terminal operations past the key retention in batches, so their keys can be used again', async () => {
        for (let i = 0; i < 3; i += 1) {
          await accept({ idemKey: `old-${i}` });
          const op = await claimOne();
          await record(op, i === 0 ? fail(1) : ok(1));
        }
        const open = await accept({ idemKey: 'still-open' });
        expect(await store.pruneOperations({ updatedBefore: T0 + 1, limit: 2 })).toBe(2);
        expect(await store.pruneOperations({ updatedBefore: T0 + 1, limit: 2 })).toBe(1);
        expect((await store.listOperations({ limit: 10 })).map((o) => o.opId)).toEqual([open.opId]);
        expect((await store.insertOperation(newOperation({ idemKey: 'old-0', now: T0 + 2 }))).created).toBe(true);
      });

      it('prunes an operation together with its WAL entries', async () => {
        await accept();
        const op = await claimOne();
        await record(op, ok(1));
        expect(await store.pruneOperations({ updatedBefore: T0 + 1, limit: 10 })).toBe(1);
        expect(await store.listWal(op.opId)).toEqual([]);
        expect(await store.getOperation(op.opId)).toBeUndefined();
      });

      it('keeps terminal operations updated at or after the cutoff', async () => {
        await accept();
        await record(await claimOne(), ok(1), T0 + 100);
        expect(await store.pruneOperations({ updatedBefore: T0 + 100, limit: 10 })).toBe(0);
      });
    });

    describe('listing', () => {
      it('lists operations by opId with filters and keyset pagination', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i += 1) ids.push((await accept({ orchestrator: i % 2 === 0 ? ORCHESTRATOR : 'email' })).opId);
        await record(await claimOne(T0, ['email']), ok(1));
        expect((await store.listOperations({ limit: 10 })).map((o) => o.opId)).toEqual([...ids].sort());
        const page1 = await store.listOperations({ orchestrator: ORCHESTRATOR, limit: 2 });
        const page2 = await store.listOperations({ orchestrator: ORCHESTRATOR, limit: 2, afterOpId: page1.at(-1)!.opId });
        expect([...page1, ...page2].map((o) => o.opId)).toEqual([ids[0], ids[2], ids[4]]);
        expect(await store.listOperations({ state: 'SUCCEEDED', limit: 10 })).toMatchObject([{ orchestrator: 'email', state: 'SUCCEEDED' }]);
      });
    });
  });
}

function newOperation(overrides: Partial<NewOperation> = {}): NewOperation {
  const payload = overrides.payload ?? '{"amount":100,"idemKey":"k"}';
  return {
    opId: newOpId(),
    orchestrator: ORCHESTRATOR,
    scope: '',
    // eslint-disable-next-line safecall/no-random-idempotency-key -- each generated operation stands for a distinct request
    idemKey: `key-${Math.random().toString(36).slice(2)}`,
    now: T0,
    ...overrides,
    payload,
    payloadHash: overrides.payloadHash ?? sha256(payload),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function ok(attempt: number, value: unknown = { done: true }): StoredOutcome {
  return { kind: 'ok', attempt, value };
}

function fail(attempt: number, code = 'DECLINED'): StoredOutcome {
  return { kind: 'fail', attempt, code, message: `declined on attempt ${attempt}` };
}

function retry(attempt: number, nextAttemptAt: number, uncertain = false): StoredOutcome {
  return { kind: 'retry', attempt, reason: 'gateway timeout', uncertain, backoffMs: nextAttemptAt - T0, nextAttemptAt };
}
