// Shape: node-postgres with SQL transaction control (`client.query('BEGIN')` … `COMMIT` /
// `ROLLBACK`, `ROLLBACK TO SAVEPOINT` keeps it open), the pattern of node-postgres's own docs.
import type { Pool } from 'pg';

export async function transferCredits(pool: Pool, from: string, to: string, credits: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE accounts SET credits = credits - $1 WHERE id = $2', [credits, from]);
    await client.query('SAVEPOINT before_credit');
    try {
      await client.query('UPDATE accounts SET credits = credits + $1 WHERE id = $2', [credits, to]);
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT before_credit');
    }
    await fetch('https://fraud.example.com/check', { method: 'POST', body: JSON.stringify({ from, to, credits }) }); // expect: safecall/no-external-call-in-transaction
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  await fetch('https://hooks.example.com/transfers', { method: 'POST', body: JSON.stringify({ from, to }) });
}
