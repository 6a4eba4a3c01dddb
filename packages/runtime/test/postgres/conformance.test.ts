// The shared store contract, on a real PostgreSQL: each test gets a fresh schema in this file's database.
import type pg from 'pg';
import { beforeAll } from 'vitest';
import { PostgresStore } from '@safecall/runtime';
import { describeStoreConformance } from '@safecall/runtime/testing';
import { freshDatabase, recordingLogger } from './helpers.js';

let url: string;
let schemas = 0;

beforeAll(async () => {
  url = await freshDatabase();
});

describeStoreConformance<pg.PoolClient>('PostgresStore', async () => {
  const schema = `conformance_${(schemas += 1)}`;
  const open = () => new PostgresStore({ connectionString: url, schema, poolSize: 4, logger: recordingLogger() });
  const store = open();
  await store.migrate();
  await store.pool.query(`CREATE TABLE "${schema}".domain_rows (key text PRIMARY KEY)`);
  return {
    store,
    writeDomainRow: async (tx, key) => {
      await tx.query(`INSERT INTO "${schema}".domain_rows (key) VALUES ($1)`, [key]);
    },
    hasDomainRow: async (key) => (await store.pool.query(`SELECT 1 FROM "${schema}".domain_rows WHERE key = $1`, [key])).rowCount === 1,
    openSecondConnection: async () => {
      const second = open();
      return { store: second, close: () => second.close() };
    },
    close: () => store.close(),
  };
});
