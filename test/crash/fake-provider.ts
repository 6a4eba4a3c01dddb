import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body a worker sends to `POST /charges`. */
export interface ChargeRequest {
  readonly orderId: string;
  readonly amount: number;
}

/** One request as the provider received it, whether or not it produced an effect. */
export interface ProviderCall {
  readonly seq: number;
  readonly idempotencyKey: string;
  readonly opId: string;
  readonly attempt: number;
  readonly workerPid: number;
  /** When the worker began this attempt (epoch ms, the worker's clock; the same machine's). */
  readonly attemptStartedAt: number;
  readonly request: ChargeRequest;
  /** True when this request produced the charge; false when it replayed the first result. */
  readonly effect: boolean;
}

/** The charge a key produced: the provider's one external effect per key. */
export interface Charge {
  readonly chargeId: string;
  readonly idempotencyKey: string;
  readonly request: ChargeRequest;
}

export interface FakeProviderOptions {
  /**
   * How long to hold the response body after the headers are sent. The effect is recorded when the
   * request arrives, so a worker that dies inside this window leaves an effect it never heard about.
   */
  readonly responseDelayMs?: (call: ProviderCall) => number;
  /** Called synchronously when a request arrives, before its response starts. */
  readonly onCall?: (call: ProviderCall) => void;
}

/** The headers a worker sends so the provider can tell attempts apart in its records. */
export const providerHeaders = {
  idempotencyKey: 'idempotency-key',
  opId: 'x-safecall-op-id',
  attempt: 'x-safecall-attempt',
  workerPid: 'x-worker-pid',
  attemptStartedAt: 'x-attempt-started-at',
} as const;

/**
 * A payment provider that honours idempotency keys like Stripe does: the first request with a key
 * creates the charge, every later one with the same key and payload gets that charge back and
 * creates nothing; the same key with a different payload is refused with 422. It runs in the test
 * process, outside the workers, so a worker's SIGKILL cannot take its records with it.
 */
export class FakeProvider {
  private readonly callLog: ProviderCall[] = [];
  private readonly charges = new Map<string, Charge>();
  private readonly openResponses = new Set<ServerResponse>();

  private readonly server: Server;
  private origin = '';

  private constructor(private readonly options: FakeProviderOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
    });
  }

  static async start(options: FakeProviderOptions = {}): Promise<FakeProvider> {
    const provider = new FakeProvider(options);
    provider.server.listen(0, '127.0.0.1');
    await once(provider.server, 'listening');
    const { port } = provider.server.address() as AddressInfo;
    provider.origin = `http://127.0.0.1:${port}`;
    return provider;
  }

  get url(): string {
    return this.origin;
  }

  /** Every request received, in arrival order. */
  get calls(): readonly ProviderCall[] {
    return this.callLog;
  }

  /** The idempotency keys the provider has seen. */
  keysSeen(): ReadonlySet<string> {
    return new Set(this.callLog.map((call) => call.idempotencyKey));
  }

  /** The charge a key produced, if any. */
  chargeFor(idempotencyKey: string): Charge | undefined {
    return this.charges.get(idempotencyKey);
  }

  /** How many effects each key produced (a provider that honours keys never exceeds one). */
  effectsPerKey(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    for (const call of this.callLog) {
      if (call.effect) counts.set(call.idempotencyKey, (counts.get(call.idempotencyKey) ?? 0) + 1);
    }
    return counts;
  }

  async close(): Promise<void> {
    for (const res of this.openResponses) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { options } = this;
    if (req.method !== 'POST' || req.url !== '/charges') {
      return this.reply(res, 404, { error: `no route ${req.method} ${req.url}` });
    }
    const idempotencyKey = header(req, providerHeaders.idempotencyKey);
    if (!idempotencyKey) return this.reply(res, 400, { error: 'an Idempotency-Key header is required' });
    const request = parseChargeRequest(await readBody(req));
    if (!request) return this.reply(res, 400, { error: 'body must be {"orderId": string, "amount": number}' });

    const existing = this.charges.get(idempotencyKey);
    if (existing && !sameRequest(existing.request, request)) {
      return this.reply(res, 422, { error: `key ${idempotencyKey} was first used with a different payload` });
    }
    const call: ProviderCall = {
      seq: this.callLog.length + 1,
      idempotencyKey,
      opId: header(req, providerHeaders.opId) ?? '',
      attempt: Number(header(req, providerHeaders.attempt)),
      workerPid: Number(header(req, providerHeaders.workerPid)),
      attemptStartedAt: Number(header(req, providerHeaders.attemptStartedAt)),
      request,
      effect: existing === undefined,
    };
    const charge = existing ?? { chargeId: `ch_${this.charges.size + 1}`, idempotencyKey, request };
    this.charges.set(idempotencyKey, charge);
    this.callLog.push(call);
    options.onCall?.(call);

    // Headers go out at once, the body after the delay: a worker that has the headers knows the
    // provider acted, and a worker killed before the body has an effect it never recorded.
    res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replayed': String(!call.effect) });
    res.flushHeaders();
    const delayMs = options.responseDelayMs?.(call) ?? 0;
    if (delayMs > 0) {
      this.openResponses.add(res);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      this.openResponses.delete(res);
    }
    res.end(JSON.stringify(charge));
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseChargeRequest(text: string): ChargeRequest | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { orderId, amount } = value as Record<string, unknown>;
    if (typeof orderId !== 'string' || typeof amount !== 'number') return undefined;
    return { orderId, amount };
  } catch {
    return undefined;
  }
}

function sameRequest(a: ChargeRequest, b: ChargeRequest): boolean {
  return a.orderId === b.orderId && a.amount === b.amount;
}
