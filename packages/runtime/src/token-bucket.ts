import type { RateLimit } from './orchestrator.js';

/** Token bucket for accept: `capacity` burst, refilled continuously at `refillPerSecond`. */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.#tokens = limit.capacity;
    this.#updatedAt = now;
  }

  /** Takes a token and returns 0, or returns how many ms until one is available (taking none). */
  take(now: number): number {
    const elapsedMs = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.limit.capacity, this.#tokens + (elapsedMs / 1000) * this.limit.refillPerSecond);
    this.#updatedAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.limit.refillPerSecond) * 1000);
  }
}
