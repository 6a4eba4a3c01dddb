/**
 * Group commit: callers submit one item each; while a batch is being committed, newcomers queue up
 * and go together in the next batch. A lone caller is committed at once (no added latency); under
 * load, many WAL appends or finalizes share one round-trip and one transaction.
 */
export class GroupCommit<I, O> {
  readonly #commit: (items: readonly I[]) => Promise<readonly Settled<O>[]>;
  readonly #maxBatch: number;
  #queue: Waiter<I, O>[] = [];
  #committing = false;

  /**
   * `commit` receives the batch and returns one result per item, in order; a rejected `commit`
   * fails every item of its batch.
   */
  constructor(commit: (items: readonly I[]) => Promise<readonly Settled<O>[]>, maxBatch: number) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`GroupCommit maxBatch must be a positive integer, got ${maxBatch}`);
    }
    this.#commit = commit;
    this.#maxBatch = maxBatch;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#committing) return;
    this.#committing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        await this.#commitBatch(batch);
      }
    } finally {
      this.#committing = false;
    }
  }

  async #commitBatch(batch: readonly Waiter<I, O>[]): Promise<void> {
    let results: readonly Settled<O>[];
    try {
      results = await this.#commit(batch.map((waiter) => waiter.item));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    batch.forEach((waiter, index) => {
      const result = results[index];
      if (result === undefined) waiter.reject(new Error(`group commit returned no result for item ${index}`));
      else if (result.ok) waiter.resolve(result.value);
      else waiter.reject(result.error);
    });
  }
}

export type Settled<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown };

interface Waiter<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}
