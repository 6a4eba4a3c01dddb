import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, expect, it } from 'vitest';
import { SqliteStore, type AcceptResult } from '@safecall/runtime';

const THREADS = 4;
const ACCEPTS_PER_THREAD = 50;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safecall-concurrent-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('200 concurrent accepts of one key from 4 threads, each with its own connection, make exactly one operation', { timeout: 120_000 }, async () => {
  const file = path.join(dir, 'accept.db');
  const setup = new SqliteStore(file); // migrate once up front so the threads only race on the insert
  await setup.close();

  const barrier = new SharedArrayBuffer(8);
  const flags = new Int32Array(barrier);
  const workers = Array.from(
    { length: THREADS },
    () =>
      new Worker(new URL('./support/accept-worker.mjs', import.meta.url), {
        execArgv: ['--conditions', '@safecall/source'],
        workerData: { file, accepts: ACCEPTS_PER_THREAD, barrier },
      }),
  );
  const results = Promise.all(
    workers.map(
      (worker) =>
        new Promise<AcceptResult[]>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => code !== 0 && reject(new Error(`accept worker exited with ${code}`)));
        }),
    ),
  );
  let failed = false;
  results.catch(() => (failed = true));
  while (Atomics.load(flags, 0) < THREADS && !failed) await new Promise((resolve) => setTimeout(resolve, 5));
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);

  const released = performance.now();
  const accepted = (await results).flat();
  console.log(`200 accepts after the barrier: ${Math.round(performance.now() - released)} ms`);
  expect(accepted).toHaveLength(THREADS * ACCEPTS_PER_THREAD);
  expect(accepted.filter((r) => r.created)).toHaveLength(1);
  expect(new Set(accepted.map((r) => r.opId)).size).toBe(1);

  const check = new SqliteStore(file);
  expect(await check.listOperations({ limit: 10 })).toMatchObject([{ opId: accepted[0]!.opId, idemKey: 'charge-o-1', state: 'ACCEPTED' }]);
  await check.close();
});
