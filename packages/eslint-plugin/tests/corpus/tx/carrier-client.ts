// Shape: a NestJS wrapper around @nestjs/axios's HttpService (which returns Observables) used from a
// `@Transactional()` method of another service: the network call is one class away.
// Modelled on NestJS shipping/ERP integration modules.
import { Injectable } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { firstValueFrom } from 'rxjs';
import { Transactional } from '@nestjs-cls/transactional';

@Injectable()
export class CarrierClient {
  constructor(private readonly http: HttpService) {}

  async createLabel(orderId: string): Promise<string> {
    const response = await firstValueFrom(this.http.post<{ labelUrl: string }>('https://carrier.example.com/labels', { orderId }));
    return response.data.labelUrl;
  }
}

interface LabelRepository {
  save(label: { orderId: string; url: string }): Promise<void>;
}

@Injectable()
export class FulfilmentService {
  constructor(
    private readonly carrier: CarrierClient,
    private readonly labels: LabelRepository,
  ) {}

  @Transactional()
  async fulfil(orderId: string): Promise<void> {
    const url = await this.carrier.createLabel(orderId); // expect: safecall/no-external-call-in-transaction
    await this.labels.save({ orderId, url });
  }
}
