// Shape: Drizzle `db.transaction(async (tx) => …)` with the global fetch, and Kysely
// `db.transaction().setIsolationLevel(…).execute(async (trx) => …)` with ky; fire-and-forget
// `setImmediate`/`process.nextTick` callbacks (they do not hold the transaction) and a call after it are outside. Modelled on Drizzle's and Kysely's transaction docs.
import ky from 'ky';
import type { Kysely } from 'kysely';

interface DrizzleDb {
  transaction<T>(fn: (tx: DrizzleDb) => Promise<T>): Promise<T>;
  execute(sql: string): Promise<unknown>;
}

interface Database {
  subscriptions: { id: string; state: string };
}

export async function activateSubscription(db: DrizzleDb, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(`UPDATE subscriptions SET state = 'ACTIVE' WHERE id = '${id}'`);
    const response = await fetch('https://crm.example.com/api/subscriptions', { method: 'POST', body: JSON.stringify({ id }) }); // expect: safecall/no-external-call-in-transaction
    if (!response.ok) throw new Error(`CRM refused subscription ${id}: ${response.status}`);
    setImmediate(() => {
      void fetch('https://metrics.example.com/activated', { method: 'POST' });
    });
    process.nextTick(() => {
      void fetch('https://metrics.example.com/activated-tick', { method: 'POST' });
    });
  });
  await fetch(`https://crm.example.com/api/subscriptions/${id}/welcome`, { method: 'POST' });
}

export async function cancelSubscription(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .transaction()
    .setIsolationLevel('serializable')
    .execute(async (trx) => {
      await trx.updateTable('subscriptions').set({ state: 'CANCELLED' }).where('id', '=', id).execute();
      await ky.delete(`https://crm.example.com/api/subscriptions/${id}`); // expect: safecall/no-external-call-in-transaction
    });
}
