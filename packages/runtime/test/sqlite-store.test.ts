import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '@safecall/runtime';
import { describeStoreConformance, type ConformanceStore } from '@safecall/runtime/testing';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safecall-sqlite-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;

function conformanceStore(store: SqliteStore, close: () => Promise<void>): Omit<ConformanceStore<Database.Database>, 'openSecondConnection'> {
  store.db.exec('CREATE TABLE IF NOT EXISTS domain_rows (key TEXT PRIMARY KEY)');
  return {
    store,
    writeDomainRow: (tx, key) => {
      tx.prepare('INSERT INTO domain_rows (key) VALUES (?)').run(key);
    },
    hasDomainRow: async (key) => store.db.prepare('SELECT 1 FROM domain_rows WHERE key = ?').get(key) !== undefined,
    close,
  };
}

describeStoreConformance('SqliteStore on a file', async () => {
  const file = path.join(dir, `conformance-${(files += 1)}.db`);
  const store = new SqliteStore(file);
  return {
    ...conformanceStore(store, () => store.close()),
    openSecondConnection: async () => {
      const second = new SqliteStore(file);
      return { store: second, close: () => second.close() };
    },
  };
});

describeStoreConformance('SqliteStore in memory', async () => {
  const store = new SqliteStore(':memory:');
  return conformanceStore(store, () => store.close());
});

describe('SqliteStore', () => {
  it('opens the database in WAL mode with synchronous NORMAL by default', async () => {
    const store = new SqliteStore(path.join(dir, 'pragmas.db'));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    await store.close();
  });

  it('honours synchronous FULL and a custom busy timeout', async () => {
    const store = new SqliteStore(path.join(dir, 'full.db'), { synchronous: 'FULL', busyTimeoutMs: 250 });
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(250);
    await store.close();
  });

  it('migrates once and records the schema version', async () => {
    const file = path.join(dir, 'migrations.db');
    const first = new SqliteStore(file);
    await first.close();
    const second = new SqliteStore(file);
    const versions = second.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    expect(versions).toEqual([{ version: second.schemaVersion }]);
    await second.close();
  });

  it('refuses a database whose schema is newer than this runtime', () => {
    const file = path.join(dir, 'future.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(99, 0);
    db.close();
    expect(() => new SqliteStore(file)).toThrow(/schema is at version 99, newer than this @safecall\/runtime/);
  });

  it('indexes the WAL on (state, created_at) for cleanup', async () => {
    const store = new SqliteStore(':memory:');
    const columns = store.db.prepare(`SELECT name FROM pragma_index_info('wal_state_created') ORDER BY seqno`).all();
    expect(columns).toEqual([{ name: 'state' }, { name: 'created_at' }]);
    await store.close();
  });

  it('leaves a Database it was given open on close', async () => {
    const db = new Database(':memory:');
    const store = new SqliteStore(db);
    await store.close();
    expect(db.open).toBe(true);
    db.close();
  });
});
