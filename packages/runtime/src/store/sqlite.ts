import path from 'node:path';
import Database from 'better-sqlite3';
import { operationUpdateFor, parseOutcome, serializeOutcome } from '../wal.js';
import type {
  ClaimRequest,
  FinalizeHook,
  FinalizeResult,
  InsertOperationResult,
  ListOperationsQuery,
  NewOperation,
  NewWalEntry,
  OperationRow,
  OperationState,
  Store,
  WalEntry,
  WalKey,
  WalState,
} from './store.js';

export interface SqliteStoreOptions {
  /**
   * PRAGMA synchronous. Default NORMAL: in WAL journal mode a commit is written to the WAL file before
   * COMMIT returns, so a crash of the process (SIGKILL, OOM) loses nothing; only an OS crash or power loss
   * can drop the last commits. Use FULL to survive those too, at the cost of an fsync per commit.
   */
  readonly synchronous?: 'NORMAL' | 'FULL' | 'EXTRA';
  /** How long a statement waits for another connection's write lock. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/** Each migration runs once, in order, in its own transaction; the applied version is kept in schema_migrations. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE operations (
     op_id            TEXT PRIMARY KEY,
     orchestrator     TEXT NOT NULL,
     scope            TEXT NOT NULL,
     idem_key         TEXT NOT NULL,
     payload          TEXT NOT NULL,
     payload_hash     TEXT NOT NULL,
     state            TEXT NOT NULL CHECK (state IN ('ACCEPTED', 'IN_PROGRESS', 'RETRY_SCHEDULED', 'SUCCEEDED', 'FAILED')),
     attempt          INTEGER NOT NULL DEFAULT 0,
     next_attempt_at  INTEGER,
     lease_owner      TEXT,
     lease_expires_at INTEGER,
     uncertain        INTEGER NOT NULL DEFAULT 0,
     outcome          TEXT,
     created_at       INTEGER NOT NULL,
     updated_at       INTEGER NOT NULL,
     UNIQUE (orchestrator, scope, idem_key)
   );
   CREATE INDEX operations_due ON operations (state, next_attempt_at);
   CREATE INDEX operations_lease ON operations (state, lease_expires_at);
   CREATE INDEX operations_retention ON operations (state, updated_at);
   CREATE TABLE wal (
     op_id        TEXT NOT NULL REFERENCES operations (op_id) ON DELETE CASCADE,
     attempt      INTEGER NOT NULL,
     outcome      TEXT NOT NULL,
     state        TEXT NOT NULL CHECK (state IN ('PENDING', 'COMPLETED', 'STALE')),
     created_at   INTEGER NOT NULL,
     completed_at INTEGER,
     PRIMARY KEY (op_id, attempt)
   );
   CREATE INDEX wal_state_created ON wal (state, created_at);`,
];

interface OperationRecord {
  op_id: string;
  orchestrator: string;
  scope: string;
  idem_key: string;
  payload: string;
  payload_hash: string;
  state: OperationState;
  attempt: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  uncertain: number;
  outcome: string | null;
  created_at: number;
  updated_at: number;
}

interface WalRecord {
  op_id: string;
  attempt: number;
  outcome: string;
  state: WalState;
  created_at: number;
  completed_at: number | null;
}

/**
 * The embedded store on better-sqlite3. Several processes may share one file (SQLite serialises writers).
 * better-sqlite3 is synchronous, but a Finalizer hook may be async, so a finalize transaction can stay open
 * across awaits. Every call therefore goes through one queue per database file and process: no other
 * statement runs on the connection meanwhile, and a second connection of this process never busy-waits
 * (blocking the event loop) on a write lock that only this process's event loop can release.
 */
export class SqliteStore implements Store<Database.Database> {
  readonly db: Database.Database;
  readonly #ownsDb: boolean;
  readonly #queue: CallQueue;
  readonly #sql: ReturnType<typeof prepareStatements>;

  constructor(pathOrDb: string | Database.Database, options: SqliteStoreOptions = {}) {
    this.#ownsDb = typeof pathOrDb === 'string';
    this.db = typeof pathOrDb === 'string' ? new Database(pathOrDb) : pathOrDb;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.#sql = prepareStatements(this.db);
    this.#queue = CallQueue.for(this.db);
  }

  /** The schema version after migrations. */
  get schemaVersion(): number {
    return MIGRATIONS.length;
  }

  insertOperation(op: NewOperation): Promise<InsertOperationResult> {
    return this.#exclusive(() => {
      const inserted = this.#sql.insertOperation.get(op) as OperationRecord | undefined;
      if (inserted) return { created: true, operation: toOperation(inserted) };
      const existing = this.#sql.selectOperationByKey.get(op) as OperationRecord | undefined;
      if (!existing) throw new Error(`insertOperation: key (${op.orchestrator}, ${op.scope}, ${op.idemKey}) neither inserted nor found`);
      return { created: false, operation: toOperation(existing) };
    });
  }

  getOperation(opId: string): Promise<OperationRow | undefined> {
    return this.#exclusive(() => {
      const row = this.#sql.selectOperation.get(opId) as OperationRecord | undefined;
      return row && toOperation(row);
    });
  }

  claimDueOperations(request: ClaimRequest): Promise<OperationRow[]> {
    return this.#exclusive(() => {
      const rows = this.#sql.claimDue.all({ ...request, orchestrators: JSON.stringify(request.orchestrators) }) as OperationRecord[];
      return rows.map(toOperation).sort(byDueOrder);
    });
  }

  appendWal(entries: readonly NewWalEntry[]): Promise<boolean[]> {
    return this.#exclusive(() =>
      this.db.transaction(() =>
        entries.map(
          (entry) => this.#sql.insertWal.run({ ...entry, outcome: serializeOutcome(entry.outcome) }).changes === 1,
        ),
      )(),
    );
  }

  finalizeWal(keys: readonly WalKey[], now: number, hook: FinalizeHook<Database.Database>): Promise<FinalizeResult[]> {
    return this.#exclusive(async () => {
      const results: FinalizeResult[] = [];
      for (const key of keys) results.push(await this.#finalizeOne(key, now, hook));
      return results;
    });
  }

  listPendingWal(query: { readonly createdBefore: number; readonly limit: number; readonly orchestrators: readonly string[] }): Promise<WalEntry[]> {
    return this.#exclusive(() =>
      (this.#sql.selectPendingWal.all({ ...query, orchestrators: JSON.stringify(query.orchestrators) }) as WalRecord[]).map(toWalEntry),
    );
  }

  listWal(opId: string): Promise<WalEntry[]> {
    return this.#exclusive(() => (this.#sql.selectWalOfOperation.all(opId) as WalRecord[]).map(toWalEntry));
  }

  findExpiredLeases(query: { readonly now: number; readonly limit: number; readonly orchestrators: readonly string[] }): Promise<OperationRow[]> {
    return this.#exclusive(() =>
      (this.#sql.selectExpiredLeases.all({ ...query, orchestrators: JSON.stringify(query.orchestrators) }) as OperationRecord[]).map(
        toOperation,
      ),
    );
  }

  nextWakeAt(query: { readonly orchestrators: readonly string[] }): Promise<number | null> {
    return this.#exclusive(() => {
      const row = this.#sql.selectNextWake.get({ orchestrators: JSON.stringify(query.orchestrators) }) as { at: number | null };
      return row.at;
    });
  }

  deleteFinishedWal(query: { readonly createdBefore: number; readonly limit: number }): Promise<number> {
    return this.#exclusive(() => this.#sql.deleteFinishedWal.run(query).changes);
  }

  pruneOperations(query: { readonly updatedBefore: number; readonly limit: number }): Promise<number> {
    return this.#exclusive(() => this.#sql.pruneOperations.run(query).changes);
  }

  listOperations(query: ListOperationsQuery): Promise<OperationRow[]> {
    return this.#exclusive(() =>
      (
        this.#sql.selectOperations.all({
          orchestrator: query.orchestrator ?? null,
          state: query.state ?? null,
          afterOpId: query.afterOpId ?? null,
          limit: query.limit,
        }) as OperationRecord[]
      ).map(toOperation),
    );
  }

  close(): Promise<void> {
    return this.#exclusive(() => {
      this.#queue.release();
      if (this.#ownsDb && this.db.open) this.db.close();
    });
  }

  async #finalizeOne(key: WalKey, now: number, hook: FinalizeHook<Database.Database>): Promise<FinalizeResult> {
    try {
      // IMMEDIATE takes the write lock up front, so two processes finalizing the same entry serialise here.
      this.db.exec('BEGIN IMMEDIATE');
      const record = this.#sql.selectWal.get(key) as WalRecord | undefined;
      if (!record || record.state !== 'PENDING') {
        this.db.exec('COMMIT');
        return { ...key, status: 'absent' };
      }
      const entry = toWalEntry(record);
      const update = operationUpdateFor(entry.outcome);
      const applied = this.#sql.applyOutcome.get({
        ...key,
        ...update,
        uncertain: update.uncertain ? 1 : 0,
        outcome: record.outcome,
        now,
      }) as OperationRecord | undefined;
      if (!applied) {
        this.#sql.markWal.run({ ...key, state: 'STALE', now });
        const current = this.#sql.selectOperation.get(key.opId) as OperationRecord | undefined;
        this.db.exec('COMMIT');
        return { ...key, status: 'stale', ...(current ? { operation: toOperation(current) } : {}) };
      }
      const operation = toOperation(applied);
      await hook(this.db, entry, operation);
      this.#sql.markWal.run({ ...key, state: 'COMPLETED', now });
      this.db.exec('COMMIT');
      return { ...key, status: 'applied', operation };
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      return { ...key, status: 'failed', error };
    }
  }

  #exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    return this.#queue.run(work);
  }
}

/** Runs calls one after another; shared by every SqliteStore of this process on the same database file. */
class CallQueue {
  static readonly #byDatabase = new Map<unknown, CallQueue>();
  #tail: Promise<unknown> = Promise.resolve();
  #users = 0;

  private constructor(private readonly key: unknown) {}

  static for(db: Database.Database): CallQueue {
    const key = db.memory ? db : path.resolve(db.name);
    const queue = CallQueue.#byDatabase.get(key) ?? new CallQueue(key);
    CallQueue.#byDatabase.set(key, queue);
    queue.#users += 1;
    return queue;
  }

  run<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  release(): void {
    this.#users -= 1;
    if (this.#users === 0) CallQueue.#byDatabase.delete(this.key);
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applyAll = db.transaction(() => {
    const { version } = db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').get() as { version: number };
    if (version > MIGRATIONS.length) {
      throw new Error(`database schema is at version ${version}, newer than this @safecall/runtime (${MIGRATIONS.length}); upgrade the package`);
    }
    MIGRATIONS.slice(version).forEach((sql, index) => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version + index + 1, Date.now());
    });
  });
  // IMMEDIATE: two processes opening a fresh file at once must not both run the migrations.
  applyAll.immediate();
}

const IN_ORCHESTRATORS = 'orchestrator IN (SELECT value FROM json_each(@orchestrators))';

function prepareStatements(db: Database.Database) {
  return {
    insertOperation: db.prepare(
      `INSERT INTO operations (op_id, orchestrator, scope, idem_key, payload, payload_hash, state, attempt, next_attempt_at, created_at, updated_at)
       VALUES (@opId, @orchestrator, @scope, @idemKey, @payload, @payloadHash, 'ACCEPTED', 0, @now, @now, @now)
       ON CONFLICT (orchestrator, scope, idem_key) DO NOTHING
       RETURNING *`,
    ),
    selectOperationByKey: db.prepare(`SELECT * FROM operations WHERE orchestrator = @orchestrator AND scope = @scope AND idem_key = @idemKey`),
    selectOperation: db.prepare(`SELECT * FROM operations WHERE op_id = ?`),
    claimDue: db.prepare(
      `UPDATE operations
       SET state = 'IN_PROGRESS', attempt = attempt + 1, lease_owner = @leaseOwner, lease_expires_at = @now + @leaseMs,
           next_attempt_at = NULL, updated_at = @now
       WHERE op_id IN (
         SELECT op_id FROM operations
         WHERE state IN ('ACCEPTED', 'RETRY_SCHEDULED') AND next_attempt_at <= @now AND ${IN_ORCHESTRATORS}
         ORDER BY next_attempt_at, op_id
         LIMIT @limit)
       RETURNING *`,
    ),
    insertWal: db.prepare(
      `INSERT INTO wal (op_id, attempt, outcome, state, created_at) VALUES (@opId, @attempt, @outcome, 'PENDING', @now)
       ON CONFLICT (op_id, attempt) DO NOTHING`,
    ),
    selectWal: db.prepare(`SELECT * FROM wal WHERE op_id = @opId AND attempt = @attempt`),
    // The fence: only the attempt that holds the operation may change it.
    applyOutcome: db.prepare(
      `UPDATE operations
       SET state = @state, outcome = @outcome, next_attempt_at = @nextAttemptAt, uncertain = @uncertain,
           lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
       WHERE op_id = @opId AND attempt = @attempt AND state = 'IN_PROGRESS'
       RETURNING *`,
    ),
    markWal: db.prepare(`UPDATE wal SET state = @state, completed_at = @now WHERE op_id = @opId AND attempt = @attempt AND state = 'PENDING'`),
    selectPendingWal: db.prepare(
      `SELECT wal.* FROM wal JOIN operations USING (op_id)
       WHERE wal.state = 'PENDING' AND wal.created_at < @createdBefore AND ${IN_ORCHESTRATORS}
       ORDER BY wal.created_at, wal.op_id, wal.attempt
       LIMIT @limit`,
    ),
    selectWalOfOperation: db.prepare(`SELECT * FROM wal WHERE op_id = ? ORDER BY attempt`),
    selectExpiredLeases: db.prepare(
      `SELECT * FROM operations
       WHERE state = 'IN_PROGRESS' AND lease_expires_at <= @now AND ${IN_ORCHESTRATORS}
       ORDER BY lease_expires_at, op_id
       LIMIT @limit`,
    ),
    selectNextWake: db.prepare(
      `SELECT MIN(CASE WHEN state = 'IN_PROGRESS' THEN lease_expires_at ELSE next_attempt_at END) AS at
       FROM operations
       WHERE state IN ('ACCEPTED', 'RETRY_SCHEDULED', 'IN_PROGRESS') AND ${IN_ORCHESTRATORS}`,
    ),
    deleteFinishedWal: db.prepare(
      `DELETE FROM wal WHERE rowid IN (
         SELECT rowid FROM wal WHERE state IN ('COMPLETED', 'STALE') AND created_at < @createdBefore LIMIT @limit)`,
    ),
    pruneOperations: db.prepare(
      `DELETE FROM operations WHERE op_id IN (
         SELECT op_id FROM operations WHERE state IN ('SUCCEEDED', 'FAILED') AND updated_at < @updatedBefore LIMIT @limit)`,
    ),
    selectOperations: db.prepare(
      `SELECT * FROM operations
       WHERE (@orchestrator IS NULL OR orchestrator = @orchestrator) AND (@state IS NULL OR state = @state)
         AND (@afterOpId IS NULL OR op_id > @afterOpId)
       ORDER BY op_id
       LIMIT @limit`,
    ),
  };
}

function toOperation(row: OperationRecord): OperationRow {
  return {
    opId: row.op_id,
    orchestrator: row.orchestrator,
    scope: row.scope,
    idemKey: row.idem_key,
    payload: row.payload,
    payloadHash: row.payload_hash,
    state: row.state,
    attempt: row.attempt,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    uncertain: row.uncertain === 1,
    outcome: row.outcome === null ? null : parseOutcome(row.outcome),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toWalEntry(row: WalRecord): WalEntry {
  return {
    opId: row.op_id,
    attempt: row.attempt,
    outcome: parseOutcome(row.outcome),
    state: row.state,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

function byDueOrder(a: OperationRow, b: OperationRow): number {
  return (a.createdAt - b.createdAt) || a.opId.localeCompare(b.opId);
}
