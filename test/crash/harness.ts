import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const workerEntry = path.join(here, 'worker.ts');

/** One line a worker prints on stdout: the lifecycle phase it reached, for the test to follow. */
export interface WorkerEvent {
  readonly event: string;
  readonly pid: number;
  readonly opId?: string;
  readonly attempt?: number;
  readonly detail?: string;
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A worker child process (test/crash/worker.ts under tsx, resolving @safecall/* to their sources,
 * so it runs from a clean clone without a build). Its stdout is parsed as JSON event lines.
 */
export class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<WorkerExit>;
  private stderrText = '';
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.exited = once(child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    this.exited.then(() => this.notify());
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.events.push(parseEvent(line, this.pid));
      this.notify();
    });
  }

  static spawn(name: string, env: Readonly<Record<string, string>>): WorkerProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@safecall/source', workerEntry], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child, name);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Kills the worker with SIGKILL and waits until it is gone. */
  async kill(): Promise<WorkerExit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** Asks for a graceful stop (SIGTERM) and waits; SIGKILLs it if it does not stop in time. */
  async stop(timeoutMs = 10_000): Promise<WorkerExit> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the first event that matches, or rejects when the worker exits or time runs out. */
  waitForEvent(matches: (event: WorkerEvent) => boolean, timeoutMs: number): Promise<WorkerEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(matches);
        if (found) return finish(() => resolve(found));
        if (!this.alive) return finish(() => reject(new Error(`${this.name} exited first\n${this.describe()}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${this.name}: no such event in ${timeoutMs} ms\n${this.describe()}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The tail of the worker's output, for failure messages. */
  describe(): string {
    const tail = this.events.slice(-5).map((event) => JSON.stringify(event));
    return [`events (last 5): ${tail.join('\n  ')}`, `stderr: ${this.stderrText.slice(-2000)}`].join('\n');
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function parseEvent(line: string, pid: number): WorkerEvent {
  try {
    return JSON.parse(line) as WorkerEvent;
  } catch {
    return { event: 'output', pid, detail: line };
  }
}

/** Polls `check` until it returns a value other than undefined, or fails with `what` after the deadline. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs, intervalMs = 50 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
