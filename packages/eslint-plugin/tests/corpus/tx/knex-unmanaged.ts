// Shape: Knex unmanaged transaction (`const trx = await knex.transaction()` … `trx.commit()` /
// `trx.rollback()`), with got and axios inside, an early rollback on one branch, and calls after.
// Modelled on Knex's "transactions" docs and Express + Knex wallet/ledger services.
import axios from 'axios';
import got from 'got';
import type { Knex } from 'knex';

export async function withdraw(knex: Knex, walletId: string, amount: number): Promise<void> {
  const trx = await knex.transaction();
  try {
    const wallet = await trx('wallets').where({ id: walletId }).forUpdate().first();
    if (!wallet || wallet.balance < amount) {
      await trx.rollback();
      throw new Error(`wallet ${walletId} cannot pay ${amount}`);
    }
    await trx('wallets').where({ id: walletId }).decrement('balance', amount);
    await axios.post('https://payouts.example.com/transfers', { walletId, amount }); // expect: safecall/no-external-call-in-transaction
    await trx.commit();
  } catch (error) {
    await trx.rollback();
    throw error;
  }
  await got.post('https://ledger.example.com/entries', { json: { walletId, amount } });
}

export async function settleBatch(knex: Knex, batchId: string): Promise<void> {
  let trx: Knex.Transaction | undefined;
  trx = await knex.transaction({ isolationLevel: 'serializable' });
  const rows = await trx('payouts').where({ batchId });
  for (const row of rows) {
    await got.put(`https://payouts.example.com/transfers/${row.id}/settle`); // expect: safecall/no-external-call-in-transaction
  }
  await trx.commit();
  await axios.post('https://hooks.example.com/batches', { batchId });
}
