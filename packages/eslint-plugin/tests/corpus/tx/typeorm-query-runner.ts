// Shape: TypeORM QueryRunner, imperative (`startTransaction()` … `commitTransaction()` /
// `rollbackTransaction()` / `release()`), in a NestJS service with @nestjs/axios's HttpService.
// Modelled on the NestJS docs' "Transactions" recipe and services in nestjs-realworld-style backends.
import { Injectable, Logger } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { firstValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';

@Injectable()
export class ShipmentService {
  private readonly logger = new Logger(ShipmentService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly httpService: HttpService,
  ) {}

  async bookShipment(orderId: string): Promise<void> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    const quote = await firstValueFrom(this.httpService.get(`https://carrier.example.com/quotes/${orderId}`));
    await queryRunner.startTransaction();
    try {
      await queryRunner.manager.update('orders', { id: orderId }, { state: 'SHIPPING', quote: quote.data });
      const label = await firstValueFrom(this.httpService.post('https://carrier.example.com/labels', { orderId })); // expect: safecall/no-external-call-in-transaction
      await queryRunner.manager.insert('labels', { orderId, label: label.data });
      await queryRunner.commitTransaction();
      await this.httpService.axiosRef.post('https://hooks.example.com/shipped', { orderId });
    } catch (error) {
      this.logger.error(`booking ${orderId} failed`, error);
      await queryRunner.rollbackTransaction();
      throw error;
    } finally {
      await queryRunner.release();
    }
    await firstValueFrom(this.httpService.post('https://tracking.example.com/subscribe', { orderId }));
  }

  async cancelShipment(orderId: string): Promise<void> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.startTransaction();
    try {
      const rows: unknown[] = await queryRunner.query('SELECT id FROM labels WHERE order_id = $1 FOR UPDATE', [orderId]);
      if (rows.length === 0) {
        await queryRunner.rollbackTransaction();
        return;
      }
      // Still inside: only the branch above rolled back.
      await this.httpService.axiosRef.delete(`https://carrier.example.com/labels/${orderId}`); // expect: safecall/no-external-call-in-transaction
      await queryRunner.manager.delete('labels', { orderId });
      await queryRunner.commitTransaction();
    } catch (error) {
      await this.httpService.axiosRef.post('https://alerts.example.com/', { orderId }); // expect: safecall/no-external-call-in-transaction
      await queryRunner.rollbackTransaction();
      throw error;
    } finally {
      await queryRunner.release();
    }
  }
}
