/**
 * `npm run demo`: the runtime's main job on the embedded default (SQLite).
 * Three payments go through Accept → Execute → Finalize against a flaky in-process gateway; a repeated
 * request returns the first operation, a reused key with another amount is refused, a transient failure
 * is retried with backoff using the same idempotency key, and the gateway charges each key exactly once.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Finalizer,
  IdempotencyConflictError,
  Orchestrator,
  Outcome,
  Reaper,
  Runtime,
  SqliteStore,
  type Command,
  type ExecutionContext,
  type FinalizeRecord,
  type OpId,
  type StoredOutcome,
} from '@safecall/runtime';

interface ChargeCommand extends Command {
  readonly orderId: string;
  readonly amount: number;
}

class GatewayUnavailable extends Error {}
class CardDeclined extends Error {}

/** A stand-in for a payment provider: honours idempotency keys like Stripe, fails the way real ones do. */
class FlakyGateway {
  readonly charges = new Map<string, { id: string; orderId: string; amount: number }>();
  calls = 0;
  #outages = new Set(['order-2']);

  async charge(orderId: string, amount: number, idempotencyKey: string) {
    this.calls += 1;
    const earlier = this.charges.get(idempotencyKey);
    if (earlier) return earlier;
    if (this.#outages.delete(orderId)) throw new GatewayUnavailable('503 Service Unavailable');
    if (amount > 1_000) throw new CardDeclined('card_declined: insufficient funds');
    const charge = { id: `ch_${this.charges.size + 1}`, orderId, amount };
    this.charges.set(idempotencyKey, charge);
    return charge;
  }
}

class PaymentOrchestrator extends Orchestrator<ChargeCommand, { chargeId: string }> {
  constructor(private readonly gateway: FlakyGateway) {
    super({ name: 'payment', maxAttempts: 5, backoff: { initialMs: 200, maxMs: 2_000 } });
  }

  protected async executeInternal(_opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext) {
    try {
      const charge = await this.gateway.charge(cmd.orderId, cmd.amount, ctx.idempotencyKey);
      return Outcome.ok({ chargeId: charge.id });
    } catch (error) {
      if (error instanceof GatewayUnavailable) return Outcome.retry(error.message);
      return Outcome.fail('CARD_DECLINED', String(error));
    }
  }
}

/** Writes the order's payment state in the same transaction that records the outcome. */
class PaymentFinalizer extends Finalizer<PaymentOrchestrator, Database.Database> {
  finalize(db: Database.Database, record: FinalizeRecord<ChargeCommand, { chargeId: string }>) {
    if (record.state === 'RETRY_SCHEDULED') return;
    const chargeId = record.outcome.kind === 'ok' ? record.outcome.value.chargeId : null;
    db.prepare('INSERT INTO orders (order_id, status, charge_id) VALUES (?, ?, ?)').run(
      record.command.orderId,
      record.state === 'SUCCEEDED' ? 'paid' : 'payment_failed',
      chargeId,
    );
  }
}

class PaymentReaper extends Reaper<PaymentOrchestrator> {}

const dir = mkdtempSync(path.join(tmpdir(), 'safecall-demo-'));
const file = path.join(dir, 'safecall.db');
const db = new Database(file);
db.exec('CREATE TABLE orders (order_id TEXT PRIMARY KEY, status TEXT NOT NULL, charge_id TEXT)');

const gateway = new FlakyGateway();
const orderOf = new Map<string, string>();
const runtime = new Runtime({
  store: new SqliteStore(db),
  observer: {
    executing: (e) => log(`execute  ${orderOf.get(e.opId)} attempt ${e.attempt}, key ${e.idempotencyKey}`),
    walAppended: (e) => log(`wal      ${orderOf.get(e.opId)} attempt ${e.attempt} → ${describe(e.outcome)}`),
    finalized: (e) => log(`finalize ${orderOf.get(e.opId)} attempt ${e.attempt} → ${e.state}`),
  },
});
runtime.register(new PaymentOrchestrator(gateway), { finalizer: new PaymentFinalizer(), reaper: new PaymentReaper() });

log(`SQLite store: ${file}\n`);
const checkouts = [
  { idemKey: 'checkout-order-1', orderId: 'order-1', amount: 40 },
  { idemKey: 'checkout-order-2', orderId: 'order-2', amount: 25 },
  { idemKey: 'checkout-order-3', orderId: 'order-3', amount: 5_000 },
];
const [first] = await Promise.all(
  checkouts.map(async (cmd) => {
    const accepted = await runtime.accept('payment', cmd);
    orderOf.set(accepted.opId, cmd.orderId);
    log(`accept   ${cmd.orderId} (${cmd.amount}) → operation ${accepted.opId}`);
    return accepted;
  }),
);
const repeat = await runtime.accept('payment', { idemKey: 'checkout-order-1', orderId: 'order-1', amount: 40 });
log(`accept   order-1 again with the same key → created: ${repeat.created}, same operation: ${repeat.opId === first?.opId}`);
try {
  await runtime.accept('payment', { idemKey: 'checkout-order-1', orderId: 'order-1', amount: 99 });
} catch (error) {
  if (!(error instanceof IdempotencyConflictError)) throw error;
  log(`accept   order-1, same key, other amount → ${error.code} (HTTP 422): nothing written\n`);
}

await runtime.runUntilIdle();
await runtime.stop();

log('\norders table (written by the Finalizer):');
console.table(db.prepare('SELECT order_id, status, charge_id FROM orders ORDER BY order_id').all());
log(`gateway: ${gateway.calls} calls, ${gateway.charges.size} charges — one per idempotency key`);
db.close();

function log(line: string) {
  console.log(line);
}

function describe(outcome: StoredOutcome) {
  if (outcome.kind === 'retry') return `retry in ${outcome.backoffMs} ms (${outcome.reason}), same key`;
  if (outcome.kind === 'fail') return `fail ${outcome.code}`;
  return 'ok';
}
