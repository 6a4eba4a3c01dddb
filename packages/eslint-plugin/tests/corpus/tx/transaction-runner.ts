// Shape: the NestJS "transaction runner" service many TypeORM projects write: `execute(work)` begins
// a QueryRunner transaction, awaits `work(queryRunner)`, then commits; callers pass their work inline.
// Modelled on the TransactionService/RunnerService helpers common in NestJS + TypeORM backends.
import { Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import type { DataSource, QueryRunner } from 'typeorm';

@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  async execute<T>(work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    await queryRunner.startTransaction();
    try {
      const result = await work(queryRunner);
      await queryRunner.commitTransaction();
      return result;
    } catch (error) {
      await queryRunner.rollbackTransaction();
      throw error;
    } finally {
      await queryRunner.release();
    }
  }

  /** Runs `then` once the work has committed: not inside. */
  async executeThen<T>(work: (queryRunner: QueryRunner) => Promise<T>, then: (result: T) => Promise<void>): Promise<void> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.startTransaction();
    const result = await work(queryRunner);
    await queryRunner.commitTransaction();
    await then(result);
  }
}

@Injectable()
export class WebhookSubscriptionService {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly partnerApi: AxiosInstance,
  ) {}

  async subscribe(partnerId: string, url: string): Promise<void> {
    await this.runner.execute(async (queryRunner) => {
      await queryRunner.manager.insert('subscriptions', { partnerId, url });
      await this.partnerApi.post('/webhooks', { url }); // expect: safecall/no-external-call-in-transaction
    });
  }

  async unsubscribe(partnerId: string): Promise<void> {
    await this.runner.executeThen(
      (queryRunner) => queryRunner.manager.delete('subscriptions', { partnerId }),
      async () => {
        await this.partnerApi.delete(`/webhooks/${partnerId}`);
      },
    );
  }
}
