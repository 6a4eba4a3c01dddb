import type pg from 'pg';

/** Quoted names of the store's tables inside its schema. */
export interface Tables {
  readonly schema: string;
  /** LISTEN/NOTIFY channel announcing operations that became due. */
  readonly dueChannel: string;
  readonly operations: string;
  readonly wal: string;
  readonly migrations: string;
}

export function tablesIn(schema: string): Tables {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new RangeError(
      `PostgresStore schema must be a lower-case SQL identifier (letters, digits, _; at most 63), got ${JSON.stringify(schema)}`,
    );
  }
  const quoted = `"${schema}"`;
  return {
    schema: quoted,
    dueChannel: `${schema}.due`,
    operations: `${quoted}.operations`,
    wal: `${quoted}.wal`,
    migrations: `${quoted}.schema_migrations`,
  };
}

/**
 * Each migration is applied once, in order, in one transaction with the version bump. Times are epoch
 * milliseconds (bigint) because the runtime's injected clock, not the database's, decides them.
 */
function migrations(t: Tables): readonly string[] {
  return [
    `
    CREATE TABLE ${t.operations} (
      op_id            text PRIMARY KEY,
      orchestrator     text NOT NULL,
      scope            text NOT NULL,
      idem_key         text NOT NULL,
      payload          text NOT NULL,
      payload_hash     text NOT NULL,
      state            text NOT NULL
                       CHECK (state IN ('ACCEPTED', 'IN_PROGRESS', 'RETRY_SCHEDULED', 'SUCCEEDED', 'FAILED')),
      attempt          integer NOT NULL DEFAULT 0,
      next_attempt_at  bigint,
      lease_owner      text,
      lease_expires_at bigint,
      uncertain        boolean NOT NULL DEFAULT false,
      outcome          jsonb,
      created_at       bigint NOT NULL,
      updated_at       bigint NOT NULL,
      CONSTRAINT operations_idem_key_unique UNIQUE (orchestrator, scope, idem_key)
    );
    CREATE INDEX operations_due ON ${t.operations} (next_attempt_at)
      WHERE state IN ('ACCEPTED', 'RETRY_SCHEDULED');
    CREATE INDEX operations_lease ON ${t.operations} (lease_expires_at) WHERE state = 'IN_PROGRESS';
    CREATE INDEX operations_terminal ON ${t.operations} (updated_at) WHERE state IN ('SUCCEEDED', 'FAILED');

    CREATE TABLE ${t.wal} (
      op_id        text NOT NULL,
      attempt      integer NOT NULL,
      outcome      jsonb NOT NULL,
      state        text NOT NULL CHECK (state IN ('PENDING', 'COMPLETED', 'STALE')),
      created_at   bigint NOT NULL,
      completed_at bigint,
      PRIMARY KEY (op_id, attempt)
    );
    CREATE INDEX wal_state_created ON ${t.wal} (state, created_at);
    `,
  ];
}

/** Every store's migration lock, told apart per schema by the second key. */
const MIGRATION_LOCK_CLASS = 0x5afeca11 | 0;

/**
 * Brings the schema up to date. Many workers may start at once: the first takes a transaction-scoped
 * advisory lock and migrates, the others wait on the lock and then find nothing left to do.
 * Returns the versions this call applied.
 */
export async function migrate(client: pg.ClientBase, t: Tables): Promise<number[]> {
  const steps = migrations(t);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, t.schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${t.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${t.migrations}`);
    const current = rows[0]?.version ?? 0;
    if (current > steps.length) {
      throw new Error(
        `PostgreSQL schema ${t.schema} is at version ${current}, newer than this @safecall/runtime knows (${steps.length}); upgrade the package.`,
      );
    }
    for (let version = current + 1; version <= steps.length; version++) {
      await client.query(steps[version - 1]!);
      await client.query(`INSERT INTO ${t.migrations} (version) VALUES ($1)`, [version]);
      applied.push(version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
