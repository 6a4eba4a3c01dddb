// Shape: Sequelize managed (`sequelize.transaction(async (t) => …)`, with `t.afterCommit(cb)`) and
// unmanaged (`const t = await sequelize.transaction()` … `t.commit()`) transactions, uploading to S3.
// Modelled on Sequelize's transactions docs and Express invoice services.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Sequelize, Transaction } from 'sequelize';

const s3 = new S3Client({ region: 'eu-west-1' });

export async function issueInvoice(sequelize: Sequelize, invoiceId: string, pdf: Buffer): Promise<void> {
  await sequelize.transaction(async (t: Transaction) => {
    await sequelize.query('UPDATE invoices SET state = :state WHERE id = :id', {
      replacements: { state: 'ISSUED', id: invoiceId },
      transaction: t,
    });
    t.afterCommit(async () => {
      await s3.send(new PutObjectCommand({ Bucket: 'invoices', Key: `${invoiceId}.pdf`, Body: pdf }));
    });
  });
}

export async function voidInvoice(sequelize: Sequelize, invoiceId: string, pdf: Buffer): Promise<void> {
  const t = await sequelize.transaction();
  try {
    await sequelize.query('UPDATE invoices SET state = :state WHERE id = :id', {
      replacements: { state: 'VOID', id: invoiceId },
      transaction: t,
    });
    await s3.send(new PutObjectCommand({ Bucket: 'invoices', Key: `${invoiceId}-void.pdf`, Body: pdf })); // expect: safecall/no-external-call-in-transaction
    await t.commit();
  } catch (error) {
    await t.rollback();
    throw error;
  }
}
