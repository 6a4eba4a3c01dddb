// One thread of the concurrent-accept test: its own SqliteStore connection on the shared file,
// released by a shared barrier so all threads hit the UNIQUE constraint at the same moment.
import { parentPort, workerData } from 'node:worker_threads';
import { Runtime, SqliteStore, silentLogger } from '@safecall/runtime';
import { charge, FakeGateway, PaymentFinalizer, PaymentOrchestrator, PaymentReaper } from './payments.js';

interface AcceptWorkerData {
  readonly file: string;
  readonly accepts: number;
  /** Int32Array over a SharedArrayBuffer: [threads ready, go]. */
  readonly barrier: SharedArrayBuffer;
}

const { file, accepts, barrier } = workerData as AcceptWorkerData;
const store = new SqliteStore(file, { busyTimeoutMs: 30_000 });
const runtime = new Runtime({ store, logger: silentLogger });
runtime.register(new PaymentOrchestrator(new FakeGateway()), { finalizer: new PaymentFinalizer(), reaper: new PaymentReaper() });

const flags = new Int32Array(barrier);
Atomics.add(flags, 0, 1);
Atomics.notify(flags, 0);
Atomics.wait(flags, 1, 0);

const results = await Promise.all(Array.from({ length: accepts }, () => runtime.accept('payment', charge('o-1', 100))));
await store.close();
parentPort!.postMessage(results);
