// Clean: names that look like transactions but open none. A ledger API whose `transaction(id)`
// reads a payment record, a Knex transaction that commits before the call, and a transaction whose
// result feeds a call made after it. Modelled on fintech ledger services (payment "transactions").
import axios from 'axios';
import type { Knex } from 'knex';

interface LedgerClient {
  transaction(id: string): Promise<{ id: string; amount: number }>;
}

export async function exportTransaction(ledger: LedgerClient, transactionId: string): Promise<void> {
  const transaction = await ledger.transaction(transactionId);
  await axios.post('https://accounting.example.com/entries', transaction);
}

export async function archiveOrder(knex: Knex, orderId: string): Promise<void> {
  const trx = await knex.transaction();
  try {
    await trx('orders').where({ id: orderId }).update({ archived: true });
    await trx.commit();
  } catch (error) {
    await trx.rollback();
    throw error;
  }
  await axios.post('https://search.example.com/remove', { orderId });
}

export async function refreshTotals(knex: Knex, accountId: string): Promise<void> {
  const total = await knex.transaction(async (trx) => {
    const [row] = await trx('entries').where({ accountId }).sum('amount as total');
    return Number(row?.total ?? 0);
  });
  await axios.put(`https://crm.example.com/accounts/${accountId}`, { total });
}
