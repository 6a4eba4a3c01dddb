import type { Tables } from './schema.js';

const DUE = `state IN ('ACCEPTED', 'RETRY_SCHEDULED')`;
const TERMINAL = `state IN ('SUCCEEDED', 'FAILED')`;
const FINISHED_WAL = `state IN ('COMPLETED', 'STALE')`;

function notify(channel: string, orchestrator: string): string {
  return `CASE WHEN ${channel}::text IS NOT NULL THEN pg_notify(${channel}, ${orchestrator}) END AS notified`;
}

/** Every statement the store sends, written once per schema. */
export function statementsFor(t: Tables) {
  return {
    // The constraint decides: a duplicate waits for the first insert to commit, then inserts nothing.
    // $8 is the wake-up channel (NULL: notifications off); NOTIFY is delivered on commit.
    insertOperation: `
      WITH inserted AS (
        INSERT INTO ${t.operations}
          (op_id, orchestrator, scope, idem_key, payload, payload_hash, state, attempt, next_attempt_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, 'ACCEPTED', 0, $7, $7, $7)
        ON CONFLICT (orchestrator, scope, idem_key) DO NOTHING
        RETURNING *
      )
      SELECT inserted.*, ${notify('$8', 'inserted.orchestrator')} FROM inserted`,

    // A separate statement (a fresh snapshot) so it sees a duplicate that committed while we waited.
    findByIdemKey: `SELECT * FROM ${t.operations} WHERE orchestrator = $1 AND scope = $2 AND idem_key = $3`,

    getOperation: `SELECT * FROM ${t.operations} WHERE op_id = $1`,

    // SKIP LOCKED: concurrent claimers pass over each other's rows instead of waiting or double-claiming.
    claimDueOperations: `
      WITH due AS (
        SELECT op_id, next_attempt_at FROM ${t.operations}
        WHERE ${DUE} AND next_attempt_at <= $1 AND orchestrator = ANY($2::text[])
        ORDER BY next_attempt_at, op_id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${t.operations} o
      SET state = 'IN_PROGRESS', attempt = o.attempt + 1, lease_owner = $4,
          lease_expires_at = $1::bigint + $5::bigint, next_attempt_at = NULL, updated_at = $1
      FROM due
      WHERE o.op_id = due.op_id
      RETURNING o.*, due.next_attempt_at AS due_at`,

    releaseOperation: `
      WITH released AS (
        UPDATE ${t.operations}
        SET state = CASE WHEN attempt > 1 THEN 'RETRY_SCHEDULED' ELSE 'ACCEPTED' END, attempt = attempt - 1,
            next_attempt_at = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
        WHERE op_id = $1 AND state = 'IN_PROGRESS' AND attempt = $2
        RETURNING orchestrator
      )
      SELECT ${notify('$4', 'released.orchestrator')} FROM released`,

    // The primary key (op_id, attempt) keeps the first outcome recorded for an attempt.
    appendWal: `
      INSERT INTO ${t.wal} (op_id, attempt, outcome, state, created_at)
      SELECT op_id, attempt, outcome, 'PENDING', created_at
      FROM unnest($1::text[], $2::integer[], $3::jsonb[], $4::bigint[]) AS e(op_id, attempt, outcome, created_at)
      ON CONFLICT (op_id, attempt) DO NOTHING
      RETURNING op_id, attempt`,

    // Locked in key order (wal rows, then operations) so concurrent finalizers cannot deadlock.
    lockPendingWal: `
      SELECT w.* FROM ${t.wal} w
      JOIN unnest($1::text[], $2::integer[]) AS k(op_id, attempt) ON w.op_id = k.op_id AND w.attempt = k.attempt
      WHERE w.state = 'PENDING'
      ORDER BY w.op_id, w.attempt
      FOR UPDATE OF w`,

    lockOperations: `SELECT * FROM ${t.operations} WHERE op_id = ANY($1::text[]) ORDER BY op_id FOR UPDATE`,

    applyOutcome: `
      UPDATE ${t.operations}
      SET state = $2, next_attempt_at = $3, uncertain = $4, outcome = $5::jsonb,
          lease_owner = NULL, lease_expires_at = NULL, updated_at = $6
      WHERE op_id = $1
      RETURNING *`,

    closeWal: `
      UPDATE ${t.wal} w SET state = k.state, completed_at = k.completed_at
      FROM unnest($1::text[], $2::integer[], $3::text[], $4::bigint[]) AS k(op_id, attempt, state, completed_at)
      WHERE w.op_id = k.op_id AND w.attempt = k.attempt`,

    listPendingWal: `
      SELECT w.* FROM ${t.wal} w JOIN ${t.operations} o ON o.op_id = w.op_id
      WHERE w.state = 'PENDING' AND w.created_at < $1 AND o.orchestrator = ANY($3::text[])
      ORDER BY w.created_at, w.op_id, w.attempt
      LIMIT $2`,

    listWal: `SELECT * FROM ${t.wal} WHERE op_id = $1 ORDER BY attempt`,

    findExpiredLeases: `
      SELECT * FROM ${t.operations}
      WHERE state = 'IN_PROGRESS' AND lease_expires_at <= $1 AND orchestrator = ANY($3::text[])
      ORDER BY lease_expires_at, op_id
      LIMIT $2`,

    nextWakeAt: `
      SELECT least(
        (SELECT min(next_attempt_at) FROM ${t.operations} WHERE ${DUE} AND orchestrator = ANY($1::text[])),
        (SELECT min(lease_expires_at) FROM ${t.operations} WHERE state = 'IN_PROGRESS' AND orchestrator = ANY($1::text[]))
      ) AS wake_at`,

    deleteFinishedWal: `
      WITH doomed AS (
        SELECT op_id, attempt FROM ${t.wal}
        WHERE ${FINISHED_WAL} AND created_at < $1
        ORDER BY created_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
      )
      DELETE FROM ${t.wal} w USING doomed d WHERE w.op_id = d.op_id AND w.attempt = d.attempt`,

    pruneOperations: `
      WITH doomed AS (
        SELECT op_id FROM ${t.operations}
        WHERE ${TERMINAL} AND updated_at < $1
        ORDER BY updated_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
      ), wal_gone AS (
        DELETE FROM ${t.wal} w USING doomed d WHERE w.op_id = d.op_id
      )
      DELETE FROM ${t.operations} o USING doomed d WHERE o.op_id = d.op_id`,

    listOperations: `
      SELECT * FROM ${t.operations}
      WHERE ($1::text IS NULL OR orchestrator = $1) AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR op_id > $3)
      ORDER BY op_id
      LIMIT $4`,
  } as const;
}

export type Statements = ReturnType<typeof statementsFor>;
