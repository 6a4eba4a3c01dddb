import type Database from 'better-sqlite3';
import type pg from 'pg';
import { Finalizer, Orchestrator, Outcome, Reaper } from '@safecall/runtime';
import type { Command, ExecutionContext, FinalizeRecord, OpId } from '@safecall/runtime';
import type { Charge } from './fake-provider.js';
import { createCharge, ProviderRejectedError } from './provider-client.js';

/** The one orchestrator the crash tests run: charge an order at the fake provider. */
export const CHARGE = 'crash-charge';

export interface ChargeCommand extends Command {
  readonly orderId: string;
  readonly amount: number;
}

export interface ChargeResult {
  readonly chargeId: string;
}

export interface ChargeOrchestratorOptions {
  readonly providerUrl: string;
  readonly timeoutMs: number;
  /** Runs once the provider has acted on a call and its answer has not arrived yet. */
  readonly onProviderActed?: (opId: OpId, attempt: number) => void;
}

export class ChargeOrchestrator extends Orchestrator<ChargeCommand, ChargeResult> {
  constructor(private readonly settings: ChargeOrchestratorOptions) {
    // Crashes cost attempts (every lost lease is one); the budget is large so that every operation can
    // still succeed, and short backoff keeps the tests fast.
    super({ name: CHARGE, timeoutMs: settings.timeoutMs, maxAttempts: 50, backoff: { initialMs: 20, maxMs: 200 } });
  }

  protected async executeInternal(opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext): Promise<Outcome<ChargeResult>> {
    // Read in the tick the runtime started the attempt's timeout in, so it bounds when that timeout can fire.
    const attemptStartedAt = ctx.clock.now();
    try {
      const charge: Charge = await createCharge(
        this.settings.providerUrl,
        { orderId: cmd.orderId, amount: cmd.amount },
        {
          idempotencyKey: ctx.idempotencyKey,
          opId,
          attempt: ctx.attempt,
          attemptStartedAt,
          signal: ctx.signal,
          onProviderActed: () => this.settings.onProviderActed?.(opId, ctx.attempt),
        },
      );
      return Outcome.ok({ chargeId: charge.chargeId });
    } catch (error) {
      if (error instanceof ProviderRejectedError) return Outcome.fail('PROVIDER_REJECTED', error.message);
      return Outcome.retry(String(error), { uncertain: true });
    }
  }
}

/** No reconcile hook: after a lost lease the runtime retries with the same key, and the provider replays. */
export class ChargeReaper extends Reaper<ChargeOrchestrator> {}

/** The domain state a finalized charge writes: one row per finalize, so a double write shows up as two rows. */
export interface ChargeRow {
  readonly opId: string;
  readonly orderId: string;
  readonly attempt: number;
  readonly chargeId: string;
  readonly finalizedBy: number;
}

// No UNIQUE constraint on purpose: the test, not the database, must catch a second write.
const CREATE_CHARGES = `CREATE TABLE IF NOT EXISTS crash_charges (
  op_id        TEXT NOT NULL,
  order_id     TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  charge_id    TEXT NOT NULL,
  finalized_by INTEGER NOT NULL
)`;

const SELECT_CHARGES = `SELECT op_id AS "opId", order_id AS "orderId", attempt, charge_id AS "chargeId",
  finalized_by AS "finalizedBy" FROM crash_charges ORDER BY op_id, attempt`;

function chargeRowOf(record: FinalizeRecord<ChargeCommand, ChargeResult>): ChargeRow | undefined {
  if (record.outcome.kind !== 'ok') return undefined;
  return {
    opId: record.opId,
    orderId: record.command.orderId,
    attempt: record.attempt,
    chargeId: record.outcome.value.chargeId,
    finalizedBy: process.pid,
  };
}

export class SqliteChargeFinalizer extends Finalizer<ChargeOrchestrator, Database.Database> {
  finalize(tx: Database.Database, record: FinalizeRecord<ChargeCommand, ChargeResult>): void {
    const row = chargeRowOf(record);
    if (!row) return;
    tx.prepare(
      'INSERT INTO crash_charges (op_id, order_id, attempt, charge_id, finalized_by) VALUES (?, ?, ?, ?, ?)',
    ).run(row.opId, row.orderId, row.attempt, row.chargeId, row.finalizedBy);
  }
}

export class PostgresChargeFinalizer extends Finalizer<ChargeOrchestrator, pg.PoolClient> {
  async finalize(tx: pg.PoolClient, record: FinalizeRecord<ChargeCommand, ChargeResult>): Promise<void> {
    const row = chargeRowOf(record);
    if (!row) return;
    await tx.query(
      'INSERT INTO crash_charges (op_id, order_id, attempt, charge_id, finalized_by) VALUES ($1, $2, $3, $4, $5)',
      [row.opId, row.orderId, row.attempt, row.chargeId, row.finalizedBy],
    );
  }
}

export function createSqliteCharges(db: Database.Database): void {
  db.exec(CREATE_CHARGES);
}

export function readSqliteCharges(db: Database.Database): ChargeRow[] {
  return db.prepare(SELECT_CHARGES).all() as ChargeRow[];
}

export async function createPostgresCharges(pool: pg.Pool): Promise<void> {
  await pool.query(CREATE_CHARGES);
}

export async function readPostgresCharges(pool: pg.Pool): Promise<ChargeRow[]> {
  return (await pool.query<ChargeRow>(SELECT_CHARGES)).rows;
}
