import type Database from 'better-sqlite3';
import {
  Finalizer,
  ManualClock,
  Orchestrator,
  Reaper,
  Runtime,
  SqliteStore,
  seededRandom,
  silentLogger,
  type Command,
  type ExecutionContext,
  type FinalizeRecord,
  type LifecycleObserver,
  type OpId,
  type OrchestratorOptions,
  type Outcome,
  type ReconcileRequest,
  type RuntimeOptions,
} from '@safecall/runtime';

export interface ChargeCommand extends Command {
  readonly orderId: string;
  readonly amount: number;
}

export interface Charge {
  readonly txId: string;
}

export interface GatewayCall {
  readonly orderId: string;
  readonly idempotencyKey: string;
  readonly attempt: number;
}

type Behaviour = (cmd: ChargeCommand, ctx: ExecutionContext, call: number) => Promise<unknown>;

/** A payment provider double: records every call with its idempotency key; its answers are scripted. */
export class FakeGateway {
  readonly calls: GatewayCall[] = [];
  behaviour: Behaviour = async (cmd) => ({ kind: 'ok', value: { txId: `tx-${cmd.orderId}` } });

  async charge(cmd: ChargeCommand, ctx: ExecutionContext): Promise<unknown> {
    this.calls.push({ orderId: cmd.orderId, idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt });
    return this.behaviour(cmd, ctx, this.calls.length);
  }
}

export class PaymentOrchestrator extends Orchestrator<ChargeCommand, Charge> {
  constructor(
    private readonly gateway: FakeGateway,
    options: Partial<OrchestratorOptions<ChargeCommand>> = {},
  ) {
    super({ name: 'payment', ...options });
  }

  protected async executeInternal(_opId: OpId, cmd: ChargeCommand, ctx: ExecutionContext): Promise<Outcome<Charge>> {
    // The double returns whatever it was scripted to, including non-Outcomes and throws.
    return (await this.gateway.charge(cmd, ctx)) as Outcome<Charge>;
  }
}

/** Records each finalized attempt in a domain table, in the finalize transaction. */
export class PaymentFinalizer extends Finalizer<PaymentOrchestrator, Database.Database> {
  failNext: Error | undefined;

  finalize(tx: Database.Database, record: FinalizeRecord<ChargeCommand, Charge>): void {
    tx.prepare('INSERT INTO payments (op_id, attempt, state, tx_id) VALUES (?, ?, ?, ?)').run(
      record.opId,
      record.attempt,
      record.state,
      record.outcome.kind === 'ok' ? record.outcome.value.txId : null,
    );
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }
}

export class PaymentReaper extends Reaper<PaymentOrchestrator> {
  readonly reconciled: ReconcileRequest<ChargeCommand>[] = [];
  answer: ((request: ReconcileRequest<ChargeCommand>) => Promise<Outcome<Charge> | undefined>) | undefined;

  constructor(withReconcile = false) {
    super();
    if (!withReconcile) return;
    this.reconcile = async (request) => {
      this.reconciled.push(request);
      return this.answer?.(request);
    };
  }
}

export interface Harness {
  readonly runtime: Runtime<Database.Database>;
  readonly store: SqliteStore;
  readonly clock: ManualClock;
  readonly gateway: FakeGateway;
  readonly finalizer: PaymentFinalizer;
  readonly reaper: PaymentReaper;
  readonly events: string[];
  payments(opId: string): Array<{ attempt: number; state: string; tx_id: string | null }>;
}

export function paymentHarness(
  options: {
    readonly orchestrator?: Partial<OrchestratorOptions<ChargeCommand>>;
    readonly runtime?: Partial<RuntimeOptions<Database.Database>>;
    readonly reconcile?: boolean;
    readonly store?: SqliteStore;
  } = {},
): Harness {
  const store = options.store ?? new SqliteStore(':memory:');
  store.db.exec('CREATE TABLE IF NOT EXISTS payments (op_id TEXT, attempt INTEGER, state TEXT, tx_id TEXT)');
  const clock = new ManualClock();
  const gateway = new FakeGateway();
  const finalizer = new PaymentFinalizer();
  const reaper = new PaymentReaper(options.reconcile);
  const events: string[] = [];
  const runtime = new Runtime({
    store,
    clock,
    random: seededRandom(42),
    logger: silentLogger,
    observer: recordingObserver(events),
    workerId: 'worker-test',
    ...options.runtime,
  });
  runtime.register(new PaymentOrchestrator(gateway, options.orchestrator), { finalizer, reaper });
  return {
    runtime,
    store,
    clock,
    gateway,
    finalizer,
    reaper,
    events,
    payments: (opId) =>
      store.db.prepare('SELECT attempt, state, tx_id FROM payments WHERE op_id = ? ORDER BY attempt').all(opId) as Array<{
        attempt: number;
        state: string;
        tx_id: string | null;
      }>,
  };
}

function recordingObserver(events: string[]): LifecycleObserver {
  return {
    accepted: (e) => events.push(`accepted ${e.created ? 'new' : 'existing'}`),
    claimed: (e) => events.push(`claimed #${e.attempt}`),
    executing: (e) => events.push(`executing #${e.attempt}`),
    walAppended: (e) => events.push(`walAppended #${e.attempt} ${e.outcome.kind}`),
    finalizing: (e) => events.push(`finalizing #${e.attempt}`),
    finalized: (e) => events.push(`finalized #${e.attempt} ${e.status} ${e.state}`),
    reaped: (e) => events.push(`reaped #${e.attempt} ${e.outcome.kind}`),
  };
}

export function charge(orderId: string, amount = 100): ChargeCommand {
  return { idemKey: `charge-${orderId}`, orderId, amount };
}
