import { providerHeaders, type Charge, type ChargeRequest } from './fake-provider.js';

export interface ChargeCall {
  readonly idempotencyKey: string;
  readonly opId: string;
  readonly attempt: number;
  /** When the attempt began: the provider's records let a test tell a fresh call from one near its timeout. */
  readonly attemptStartedAt?: number;
  readonly signal?: AbortSignal;
  /** Runs once the provider's headers arrive: it has acted, and its answer is still on the way. */
  readonly onProviderActed?: () => void;
}

/** Thrown for a 4xx from the provider: the request itself is wrong, so retrying cannot help. */
export class ProviderRejectedError extends Error {
  readonly code = 'PROVIDER_REJECTED';
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`provider refused the charge with ${status}: ${body}`);
  }
}

/** The gateway a worker's orchestrator uses: one idempotent `POST /charges`. */
export async function createCharge(baseUrl: string, request: ChargeRequest, call: ChargeCall): Promise<Charge> {
  const response = await fetch(`${baseUrl}/charges`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [providerHeaders.idempotencyKey]: call.idempotencyKey,
      [providerHeaders.opId]: call.opId,
      [providerHeaders.attempt]: String(call.attempt),
      [providerHeaders.workerPid]: String(process.pid),
      ...(call.attemptStartedAt === undefined ? {} : { [providerHeaders.attemptStartedAt]: String(call.attemptStartedAt) }),
    },
    body: JSON.stringify(request),
    signal: call.signal,
  });
  if (response.status >= 400 && response.status < 500) {
    throw new ProviderRejectedError(response.status, await response.text());
  }
  if (!response.ok) throw new Error(`provider answered ${response.status}`);
  call.onProviderActed?.();
  return (await response.json()) as Charge;
}
