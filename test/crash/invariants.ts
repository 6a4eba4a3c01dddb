import type { OperationRow, Store, WalEntry } from '@safecall/runtime';
import type { ChargeRow } from './charge.js';
import type { FakeProvider } from './fake-provider.js';
import { groupBy } from './harness.js';

/** What a crash test collects after the workers are done, to check the exactly-once guarantee on. */
export interface CrashRunRecord {
  /** The opIds accept returned. */
  readonly accepted: readonly string[];
  readonly operations: readonly OperationRow[];
  readonly wal: ReadonlyMap<string, readonly WalEntry[]>;
  readonly charges: readonly ChargeRow[];
  readonly provider: FakeProvider;
}

/**
 * Every way the run can break the guarantee, one line each (empty when it holds): an operation lost or
 * not succeeded, a key that changed between attempts or was shared between operations, an effect
 * missing or repeated, domain state missing, written twice or from a superseded attempt, a WAL entry
 * left pending or applied for an attempt other than the last one.
 */
export function exactlyOnceViolations(run: CrashRunRecord): string[] {
  const violations: string[] = [];
  const operations = new Map(run.operations.map((op) => [op.opId, op]));
  const callsByOp = groupBy(run.provider.calls, (call) => call.opId);
  const opsByKey = groupBy(run.provider.calls, (call) => call.idempotencyKey);
  const chargesByOp = groupBy(run.charges, (charge) => charge.opId);
  const effects = run.provider.effectsPerKey();

  for (const opId of run.accepted) {
    const op = operations.get(opId);
    if (!op) {
      violations.push(`${opId}: lost (accepted, but no operation row)`);
      continue;
    }
    if (op.state !== 'SUCCEEDED') violations.push(`${opId}: ended ${op.state}, expected SUCCEEDED (outcome ${JSON.stringify(op.outcome)})`);

    const keys = new Set((callsByOp.get(opId) ?? []).map((call) => call.idempotencyKey));
    if (keys.size !== 1) violations.push(`${opId}: its attempts sent ${keys.size} different keys: ${[...keys].join(', ')}`);
    for (const key of keys) {
      const sharers = new Set((opsByKey.get(key) ?? []).map((call) => call.opId));
      if (sharers.size > 1) violations.push(`${opId}: key ${key} was also sent by ${[...sharers].filter((o) => o !== opId).join(', ')}`);
      if (effects.get(key) !== 1) violations.push(`${opId}: key ${key} had ${effects.get(key) ?? 0} effects, expected 1`);
    }

    if (op.outcome?.attempt !== op.attempt) {
      violations.push(`${opId}: its outcome is from attempt ${op.outcome?.attempt}, but attempt ${op.attempt} was the last claimed`);
    }
    const calledAttempts = (callsByOp.get(opId) ?? []).map((call) => call.attempt);
    if (calledAttempts.some((attempt) => attempt > op.attempt)) {
      violations.push(`${opId}: the provider saw attempt ${Math.max(...calledAttempts)}, beyond the recorded attempt ${op.attempt}`);
    }

    const charges = chargesByOp.get(opId) ?? [];
    const [key] = keys;
    const expectedCharge = key === undefined ? undefined : run.provider.chargeFor(key)?.chargeId;
    if (charges.length !== 1) {
      violations.push(`${opId}: domain state written ${charges.length} times (attempts ${charges.map((c) => c.attempt).join(', ')})`);
    } else if (charges[0]!.attempt !== op.attempt || charges[0]!.chargeId !== expectedCharge) {
      violations.push(
        `${opId}: domain state from attempt ${charges[0]!.attempt} with ${charges[0]!.chargeId}; ` +
          `expected attempt ${op.attempt} with the provider's ${expectedCharge}`,
      );
    }

    violations.push(...walViolations(op, run.wal.get(opId) ?? []));
  }
  for (const opId of operations.keys()) {
    if (!run.accepted.includes(opId)) violations.push(`${opId}: an operation nobody accepted`);
  }
  return violations;
}

/** The WAL of a finished operation: nothing pending, and only its last attempt applied. */
function walViolations(op: OperationRow, entries: readonly WalEntry[]): string[] {
  const violations: string[] = [];
  const pending = entries.filter((entry) => entry.state === 'PENDING');
  if (pending.length > 0) violations.push(`${op.opId}: WAL entries still PENDING for attempts ${pending.map((e) => e.attempt).join(', ')}`);
  const appliedOk = entries.filter((entry) => entry.state === 'COMPLETED' && entry.outcome.kind === 'ok');
  if (appliedOk.length !== 1 || appliedOk[0]!.attempt !== op.attempt) {
    violations.push(
      `${op.opId}: applied ok WAL entries for attempts [${appliedOk.map((e) => e.attempt).join(', ')}], expected exactly [${op.attempt}]`,
    );
  }
  const late = entries.filter((entry) => entry.state === 'COMPLETED' && entry.attempt > op.attempt);
  if (late.length > 0) violations.push(`${op.opId}: applied WAL entries beyond the last attempt: ${late.map((e) => e.attempt).join(', ')}`);
  return violations;
}

/** Every operation of the store, page by page. */
export async function allOperations(store: Store<unknown>, pageSize = 500): Promise<OperationRow[]> {
  const operations: OperationRow[] = [];
  for (;;) {
    const page = await store.listOperations({ limit: pageSize, afterOpId: operations.at(-1)?.opId });
    operations.push(...page);
    if (page.length < pageSize) return operations;
  }
}

/** Every operation's WAL entries. */
export async function allWal(store: Store<unknown>, opIds: readonly string[]): Promise<Map<string, WalEntry[]>> {
  const wal = new Map<string, WalEntry[]>();
  for (const opId of opIds) wal.set(opId, await store.listWal(opId));
  return wal;
}
