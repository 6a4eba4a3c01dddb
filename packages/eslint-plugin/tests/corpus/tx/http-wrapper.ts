// Shape: an in-house HTTP client class wrapping axios, held in a field (`this.http.post`), and an
// SDK client passed into a helper; the transaction calls both. Modelled on TypeORM
// `dataSource.transaction(async (manager) => …)` services in NestJS backends.
import axios, { type AxiosInstance } from 'axios';
import type { DataSource, EntityManager } from 'typeorm';

export class HttpClient {
  private readonly axios: AxiosInstance = axios.create({ timeout: 5_000 });

  async post<T>(url: string, body: unknown): Promise<T> {
    const response = await this.axios.post<T>(url, body);
    return response.data;
  }
}

async function saveReceipt(manager: EntityManager, orderId: string, receipt: unknown): Promise<void> {
  await manager.insert('receipts', { orderId, receipt });
}

export class TaxService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly http: HttpClient,
  ) {}

  async finalizeTaxes(orderId: string): Promise<void> {
    await this.dataSource.transaction('SERIALIZABLE', async (manager) => {
      const receipt = await this.http.post('https://tax.example.com/transactions', { orderId }); // expect: safecall/no-external-call-in-transaction
      await saveReceipt(manager, orderId, receipt);
    });
  }
}
