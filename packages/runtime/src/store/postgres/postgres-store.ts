import { metrics, type Meter } from '@opentelemetry/api';
import pg from 'pg';
import { consoleLogger, type Logger } from '../../logger.js';
import { operationUpdateFor, serializeOutcome } from '../../wal.js';
import type {
  ClaimRequest,
  FinalizeHook,
  FinalizeResult,
  InsertOperationResult,
  ListOperationsQuery,
  NewOperation,
  NewWalEntry,
  OperationRow,
  Store,
  WalEntry,
  WalKey,
} from '../store.js';
import { isTransientPostgresError, retryTransient, type RetryPolicy } from './connection-loss.js';
import { GroupCommit, type Settled } from './group-commit.js';
import { toOperation, toWalEntry, type OperationRecord, type WalRecord } from './rows.js';
import { migrate, tablesIn, type Tables } from './schema.js';
import { statementsFor, type Statements } from './statements.js';
import { DueWakeUps, type DueListener } from './wake-ups.js';

export interface PostgresStoreOptions {
  /** Where to connect; ignored when `pool` is given. */
  readonly connectionString?: string;
  /** Your own pool (ssl, host lists, ...). The store never ends a pool it did not create. */
  readonly pool?: pg.Pool;
  /** Connections in the pool the store creates. Default 10. */
  readonly poolSize?: number;
  /** Schema holding the tables (created if missing). Default "safecall". */
  readonly schema?: string;
  /** Bring the schema up to date before the first statement. Default true; set false if you migrate in a deploy step (`store.migrate()`). */
  readonly migrate?: boolean;
  /** NOTIFY subscribers (`subscribeDue`) when an operation becomes due now. Default true. */
  readonly notify?: boolean;
  /** Most WAL appends or finalizes committed together in one transaction. Default 64. */
  readonly maxBatch?: number;
  /** How long a statement keeps retrying while PostgreSQL is unreachable or restarting. Default 60 000 ms. */
  readonly reconnectForMs?: number;
  /** Delay before the first retry; doubles (with jitter) up to 5 000 ms. Default 100 ms. */
  readonly reconnectDelayMs?: number;
  readonly logger?: Logger;
  readonly meter?: Meter;
}

const DEFAULTS = {
  poolSize: 10,
  schema: 'safecall',
  maxBatch: 64,
  reconnectForMs: 60_000,
  reconnectDelayMs: 100,
  maxReconnectDelayMs: 5_000,
} as const;

interface FinalizeItem {
  readonly key: WalKey;
  readonly now: number;
  readonly hook: FinalizeHook<pg.PoolClient>;
}

/**
 * The PostgreSQL store: any number of worker processes on any number of machines share one database.
 * Claims use FOR UPDATE SKIP LOCKED; every write is fenced by attempt number or a unique key, so a
 * Finalizer and a Reaper may run in every worker at once. Concurrent WAL appends and finalizes are
 * committed together (group commit). Statements survive a PostgreSQL restart: they wait, reconnect and
 * retry, and each lost connection is logged and counted (`safecall.store.connection_errors`).
 */
export class PostgresStore implements Store<pg.PoolClient> {
  readonly pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #tables: Tables;
  readonly #sql: Statements;
  readonly #channel: string | null;
  readonly #migrateOnStart: boolean;
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;
  readonly #appends: GroupCommit<NewWalEntry, boolean>;
  readonly #finalizes: GroupCommit<FinalizeItem, FinalizeResult>;
  readonly #wakeUps: DueWakeUps;
  readonly #onPoolError = (error: Error): void => this.#reportConnectionError(error, 'idle connection');
  readonly #connectionErrors;
  readonly #batchSizes;
  #schemaReady: Promise<void> | undefined;

  constructor(target: string | pg.Pool | PostgresStoreOptions) {
    const options: PostgresStoreOptions =
      typeof target === 'string' ? { connectionString: target } : isPool(target) ? { pool: target } : target;
    if (!options.pool && !options.connectionString) {
      throw new TypeError('PostgresStore needs a connection string or a pg.Pool, e.g. new PostgresStore("postgres://user:pass@host/db")');
    }
    const maxBatch = options.maxBatch ?? DEFAULTS.maxBatch;
    this.#ownsPool = !options.pool;
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? DEFAULTS.poolSize });
    this.#tables = tablesIn(options.schema ?? DEFAULTS.schema);
    this.#sql = statementsFor(this.#tables);
    this.#channel = options.notify === false ? null : this.#tables.dueChannel;
    this.#migrateOnStart = options.migrate ?? true;
    this.#logger = options.logger ?? consoleLogger;
    const meter = options.meter ?? metrics.getMeter('@safecall/runtime');
    this.#connectionErrors = meter.createCounter('safecall.store.connection_errors', {
      description: 'PostgreSQL connections lost or refused; the statement was retried',
    });
    this.#batchSizes = meter.createHistogram('safecall.store.batch_size', {
      description: 'WAL appends or finalizes committed in one transaction (group commit)',
    });
    const reconnectDelayMs = options.reconnectDelayMs ?? DEFAULTS.reconnectDelayMs;
    this.#retry = {
      retryForMs: options.reconnectForMs ?? DEFAULTS.reconnectForMs,
      initialDelayMs: reconnectDelayMs,
      maxDelayMs: DEFAULTS.maxReconnectDelayMs,
      onTransientError: (error, attempt) => this.#reportConnectionError(error, `statement (try ${attempt})`),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      elapsed: () => performance.now(),
    };
    this.pool.on('error', this.#onPoolError);
    this.#appends = new GroupCommit((entries) => this.#appendBatch(entries), maxBatch);
    this.#finalizes = new GroupCommit((items) => this.#finalizeBatch(items), maxBatch);
    this.#wakeUps = new DueWakeUps({
      pool: this.pool,
      channel: this.#tables.dueChannel,
      reconnectDelayMs,
      maxReconnectDelayMs: DEFAULTS.maxReconnectDelayMs,
      onConnectionError: (error) => this.#reportConnectionError(error, 'LISTEN connection'),
    });
  }

  /** Brings the schema up to date (once per store; safe with many workers starting together). */
  migrate(): Promise<void> {
    this.#schemaReady ??= retryTransient(() => this.#withClient((client) => migrate(client, this.#tables)), this.#retry).then(
      (applied) => {
        if (applied.length > 0) this.#logger.info('PostgreSQL schema migrated', { schema: this.#tables.schema, applied });
      },
      (error: unknown) => {
        this.#schemaReady = undefined;
        throw error;
      },
    );
    return this.#schemaReady;
  }

  /**
   * Calls `listener` when an operation becomes due now (accepted, or released by a stopping worker), in
   * this or any other process, via LISTEN/NOTIFY on one held connection. A `null` orchestrator means
   * "notifications may have been missed" (after a reconnect). Returns the unsubscribe function.
   */
  subscribeDue(listener: DueListener): () => void {
    return this.#wakeUps.subscribe(listener);
  }

  /** Resolves once the LISTEN of `subscribeDue` is in place. */
  async dueSubscriptionReady(): Promise<void> {
    await this.#wakeUps.ready();
  }

  async insertOperation(op: NewOperation): Promise<InsertOperationResult> {
    return this.#run(async () => {
      for (;;) {
        const inserted = await this.pool.query<OperationRecord>(this.#sql.insertOperation, [
          op.opId,
          op.orchestrator,
          op.scope,
          op.idemKey,
          op.payload,
          op.payloadHash,
          op.now,
          this.#channel,
        ]);
        if (inserted.rows[0]) return { created: true, operation: toOperation(inserted.rows[0]) };
        const existing = await this.pool.query<OperationRecord>(this.#sql.findByIdemKey, [op.orchestrator, op.scope, op.idemKey]);
        // Our own insert, committed before a lost connection hid the reply, counts as created.
        if (existing.rows[0]) return { created: existing.rows[0].op_id === op.opId, operation: toOperation(existing.rows[0]) };
        // The duplicate was pruned between the two statements: insert again.
      }
    });
  }

  async getOperation(opId: string): Promise<OperationRow | undefined> {
    const { rows } = await this.#query<OperationRecord>(this.#sql.getOperation, [opId]);
    return rows[0] && toOperation(rows[0]);
  }

  async claimDueOperations(request: ClaimRequest): Promise<OperationRow[]> {
    if (request.limit <= 0 || request.orchestrators.length === 0) return [];
    const { rows } = await this.#query<OperationRecord & { due_at: string }>(this.#sql.claimDueOperations, [
      request.now,
      request.orchestrators,
      request.limit,
      request.leaseOwner,
      request.leaseMs,
    ]);
    // RETURNING has no order: oldest due first, as the interface promises.
    rows.sort((a, b) => Number(a.due_at) - Number(b.due_at) || (a.op_id < b.op_id ? -1 : 1));
    return rows.map(toOperation);
  }

  async releaseOperation(key: WalKey & { readonly now: number }): Promise<boolean> {
    const { rowCount } = await this.#query(this.#sql.releaseOperation, [key.opId, key.attempt, key.now, this.#channel]);
    return rowCount === 1;
  }

  async appendWal(entries: readonly NewWalEntry[]): Promise<boolean[]> {
    return Promise.all(entries.map((entry) => this.#appends.submit(entry)));
  }

  async finalizeWal(keys: readonly WalKey[], now: number, hook: FinalizeHook<pg.PoolClient>): Promise<FinalizeResult[]> {
    return Promise.all(keys.map((key) => this.#finalizes.submit({ key: { opId: key.opId, attempt: key.attempt }, now, hook })));
  }

  async listPendingWal(query: {
    readonly createdBefore: number;
    readonly limit: number;
    readonly orchestrators: readonly string[];
  }): Promise<WalEntry[]> {
    if (query.orchestrators.length === 0) return [];
    const { rows } = await this.#query<WalRecord>(this.#sql.listPendingWal, [query.createdBefore, query.limit, query.orchestrators]);
    return rows.map(toWalEntry);
  }

  async listWal(opId: string): Promise<WalEntry[]> {
    const { rows } = await this.#query<WalRecord>(this.#sql.listWal, [opId]);
    return rows.map(toWalEntry);
  }

  async findExpiredLeases(query: {
    readonly now: number;
    readonly limit: number;
    readonly orchestrators: readonly string[];
  }): Promise<OperationRow[]> {
    if (query.orchestrators.length === 0) return [];
    const { rows } = await this.#query<OperationRecord>(this.#sql.findExpiredLeases, [query.now, query.limit, query.orchestrators]);
    return rows.map(toOperation);
  }

  async nextWakeAt(query: { readonly orchestrators: readonly string[] }): Promise<number | null> {
    if (query.orchestrators.length === 0) return null;
    const { rows } = await this.#query<{ wake_at: string | null }>(this.#sql.nextWakeAt, [query.orchestrators]);
    const wakeAt = rows[0]?.wake_at ?? null;
    return wakeAt === null ? null : Number(wakeAt);
  }

  async deleteFinishedWal(query: { readonly createdBefore: number; readonly limit: number }): Promise<number> {
    const { rowCount } = await this.#query(this.#sql.deleteFinishedWal, [query.createdBefore, query.limit]);
    return rowCount ?? 0;
  }

  async pruneOperations(query: { readonly updatedBefore: number; readonly limit: number }): Promise<number> {
    const { rowCount } = await this.#query(this.#sql.pruneOperations, [query.updatedBefore, query.limit]);
    return rowCount ?? 0;
  }

  async listOperations(query: ListOperationsQuery): Promise<OperationRow[]> {
    const { rows } = await this.#query<OperationRecord>(this.#sql.listOperations, [
      query.orchestrator ?? null,
      query.state ?? null,
      query.afterOpId ?? null,
      query.limit,
    ]);
    return rows.map(toOperation);
  }

  async close(): Promise<void> {
    await this.#wakeUps.close();
    this.pool.off('error', this.#onPoolError);
    if (this.#ownsPool) await this.pool.end();
  }

  /** One group-commit batch of WAL appends: a single INSERT, so a single round-trip and commit. */
  async #appendBatch(entries: readonly NewWalEntry[]): Promise<Settled<boolean>[]> {
    this.#batchSizes.record(entries.length, { kind: 'wal_append' });
    const { rows } = await this.#query<{ op_id: string; attempt: number }>(this.#sql.appendWal, [
      entries.map((e) => e.opId),
      entries.map((e) => e.attempt),
      entries.map((e) => serializeOutcome(e.outcome)),
      entries.map((e) => e.now),
    ]);
    // Only the first of two entries with one key in a batch was written.
    const written = new Set(rows.map((row) => walKeyId(row.op_id, row.attempt)));
    return entries.map((entry) => ({ ok: true, value: written.delete(walKeyId(entry.opId, entry.attempt)) }));
  }

  /**
   * One group-commit batch of finalizes in one transaction. Each applied entry runs in a savepoint, so a
   * failing Finalizer hook rolls back only its own entry. A failing store statement fails the batch
   * (the entries stay PENDING for the finalizer loop).
   */
  async #finalizeBatch(items: readonly FinalizeItem[]): Promise<Settled<FinalizeResult>[]> {
    this.#batchSizes.record(items.length, { kind: 'finalize' });
    try {
      const results = await this.#run(() => this.#withClient((client) => this.#finalizeInTransaction(client, items)));
      return results.map((value) => ({ ok: true, value }));
    } catch (error) {
      return items.map(({ key }) => ({ ok: true, value: { ...key, status: 'failed', error } }));
    }
  }

  async #finalizeInTransaction(client: pg.PoolClient, items: readonly FinalizeItem[]): Promise<FinalizeResult[]> {
    const results = new Map<FinalizeItem, FinalizeResult>();
    const closed: { readonly key: WalKey; readonly state: 'COMPLETED' | 'STALE'; readonly now: number }[] = [];
    await client.query('BEGIN');
    try {
      const pending = await this.#lockPendingWal(client, items);
      const operations = await this.#lockOperations(client, [...pending.values()]);
      const useSavepoints = items.length > 1;
      for (const item of items) {
        const id = walKeyId(item.key.opId, item.key.attempt);
        const entry = pending.get(id);
        if (!entry) {
          results.set(item, { ...item.key, status: 'absent' });
          continue;
        }
        // Two callers finalizing one key in the same batch: the first decides.
        pending.delete(id);
        const operation = operations.get(entry.opId);
        if (!operation || operation.state !== 'IN_PROGRESS' || operation.attempt !== entry.attempt) {
          closed.push({ key: item.key, state: 'STALE', now: item.now });
          results.set(item, { ...item.key, status: 'stale', ...(operation && { operation }) });
          continue;
        }
        if (useSavepoints) await client.query('SAVEPOINT finalize_entry');
        try {
          const applied = await this.#applyOutcome(client, entry, item.now);
          await item.hook(client, entry, applied);
          if (useSavepoints) await client.query('RELEASE SAVEPOINT finalize_entry');
          operations.set(entry.opId, applied);
          closed.push({ key: item.key, state: 'COMPLETED', now: item.now });
          results.set(item, { ...item.key, status: 'applied', operation: applied });
        } catch (error) {
          if (!useSavepoints || isTransientPostgresError(error)) throw error;
          await client.query('ROLLBACK TO SAVEPOINT finalize_entry');
          results.set(item, { ...item.key, status: 'failed', error });
        }
      }
      if (closed.length > 0) {
        await client.query(this.#sql.closeWal, [
          closed.map((c) => c.key.opId),
          closed.map((c) => c.key.attempt),
          closed.map((c) => c.state),
          closed.map((c) => c.now),
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (isTransientPostgresError(error) || items.length > 1) throw error;
      // A lone entry whose hook threw: nothing was written.
      return [{ ...items[0]!.key, status: 'failed', error }];
    }
    return items.map((item) => results.get(item)!);
  }

  async #lockPendingWal(client: pg.PoolClient, items: readonly FinalizeItem[]): Promise<Map<string, WalEntry>> {
    const { rows } = await client.query<WalRecord>(this.#sql.lockPendingWal, [
      items.map((item) => item.key.opId),
      items.map((item) => item.key.attempt),
    ]);
    return new Map(rows.map((row) => [walKeyId(row.op_id, row.attempt), toWalEntry(row)]));
  }

  async #lockOperations(client: pg.PoolClient, entries: readonly WalEntry[]): Promise<Map<string, OperationRow>> {
    if (entries.length === 0) return new Map();
    const { rows } = await client.query<OperationRecord>(this.#sql.lockOperations, [[...new Set(entries.map((e) => e.opId))]]);
    return new Map(rows.map((row) => [row.op_id, toOperation(row)]));
  }

  async #applyOutcome(client: pg.PoolClient, entry: WalEntry, now: number): Promise<OperationRow> {
    const update = operationUpdateFor(entry.outcome);
    const { rows } = await client.query<OperationRecord>(this.#sql.applyOutcome, [
      entry.opId,
      update.state,
      update.nextAttemptAt,
      update.uncertain,
      serializeOutcome(entry.outcome),
      now,
    ]);
    return toOperation(rows[0]!);
  }

  /** One statement on any pooled connection, after the schema is ready, surviving a lost connection. */
  #query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.#run(() => this.pool.query<R>(sql, values));
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#migrateOnStart) await this.migrate();
    return retryTransient(work, this.#retry);
  }

  async #withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client that loses its socket emits 'error'; unheard, that would crash the process.
    // The statement in flight fails with the same error, which is what gets retried and reported.
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      // A connection that failed mid-transaction is discarded rather than reused.
      if (isTransientPostgresError(error)) broken ??= error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  #reportConnectionError(error: unknown, where: string): void {
    this.#connectionErrors.add(1, { where });
    this.#logger.warn(`PostgreSQL connection problem (${where}); reconnecting`, {
      error: error instanceof Error ? error.message : String(error),
      code: (error as { code?: unknown } | undefined)?.code,
    });
  }
}

// Duck-typed: the caller's pool may come from another copy of pg than ours.
function isPool(target: pg.Pool | PostgresStoreOptions): target is pg.Pool {
  return typeof (target as pg.Pool).connect === 'function' && typeof (target as pg.Pool).query === 'function';
}

function walKeyId(opId: string, attempt: number): string {
  return `${attempt}:${opId}`;
}
