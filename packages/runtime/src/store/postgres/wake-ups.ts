import type pg from 'pg';

/** Called with the orchestrator whose operation became due, or null when notifications may have been missed. */
export type DueListener = (orchestrator: string | null) => void;

export interface WakeUpOptions {
  readonly pool: pg.Pool;
  readonly channel: string;
  /** Delay before listening again after the connection was lost; doubles while it keeps failing, up to `maxReconnectDelayMs`. */
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly onConnectionError: (error: unknown) => void;
}

/**
 * LISTENs on one pooled connection (held while anyone subscribes) and fans NOTIFY payloads out to the
 * subscribers. A lost connection is re-established after a delay; subscribers then get a `null` wake-up,
 * because notifications sent meanwhile are gone. Polling stays the fallback, so a missed one only costs latency.
 */
export class DueWakeUps {
  readonly #options: WakeUpOptions;
  readonly #listeners = new Set<DueListener>();
  #client: pg.PoolClient | undefined;
  /** Clients already given back, so a late 'error' event cannot release one twice. */
  readonly #dropped = new WeakSet<pg.PoolClient>();
  #connecting: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(options: WakeUpOptions) {
    this.#options = options;
  }

  subscribe(listener: DueListener): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#connect();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#idle();
    };
  }

  /** Resolves once LISTEN is active (or the attempt failed); for tests and orderly startup. */
  async ready(): Promise<void> {
    await this.#connecting;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#idle();
  }

  /** With nobody listening, the connection goes back. */
  async #idle(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#connecting;
    if (this.#client && this.#listeners.size === 0) this.#drop(this.#client);
  }

  // Destroyed, not returned to the pool: a LISTENing session must not be reused for queries.
  #drop(client: pg.PoolClient): void {
    if (this.#dropped.has(client)) return;
    this.#dropped.add(client);
    client.removeAllListeners('notification');
    if (this.#client === client) this.#client = undefined;
    client.release(true);
  }

  #connect(): void {
    if (this.#connecting || this.#client) return;
    this.#connecting = this.#listen().finally(() => {
      this.#connecting = undefined;
    });
  }

  async #listen(): Promise<void> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#options.pool.connect();
      client.on('notification', (message) => {
        if (message.channel === this.#options.channel) this.#wake(message.payload ?? null);
      });
      client.on('error', (error) => this.#lost(client, error));
      await client.query(`LISTEN "${this.#options.channel}"`);
    } catch (error) {
      this.#lost(client, error);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    if (this.#listeners.size === 0) this.#drop(client);
  }

  #lost(client: pg.PoolClient | undefined, error: unknown): void {
    if (client && this.#dropped.has(client)) return;
    this.#options.onConnectionError(error);
    if (client) this.#drop(client);
    if (this.#listeners.size === 0 || this.#retryTimer) return;
    const { reconnectDelayMs, maxReconnectDelayMs } = this.#options;
    const delay = Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** this.#failures++);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#listeners.size === 0) return;
      this.#connect();
      void this.#connecting?.then(() => {
        if (this.#client) this.#wake(null);
      });
    }, delay);
    this.#retryTimer.unref();
  }

  #wake(orchestrator: string | null): void {
    for (const listener of this.#listeners) listener(orchestrator);
  }
}
