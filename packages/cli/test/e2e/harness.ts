import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The committed launcher that package.json's "bin" names: exactly what `npx safecall` runs. */
export const binary = path.join(packageRoot, 'bin', 'safecall.js');

/** What the launcher starts; the tests need a build. */
const built = path.join(packageRoot, 'dist', 'bin.js');

const fixtures = path.join(packageRoot, 'test', 'fixtures');

/**
 * Copies live inside the repository (packages/cli/.tmp, git-ignored) so that the fixture resolves
 * @safecall/runtime, stripe and TypeScript's lib files from the workspace's node_modules, as a
 * user's project resolves them from its own.
 */
const scratch = path.join(packageRoot, '.tmp');

/** Fails loudly, naming the fix, instead of letting every test report a confusing ENOENT. */
export function assertBinaryBuilt(): void {
  if (!fs.existsSync(built)) {
    throw new Error(`${path.relative(process.cwd(), built)} does not exist: build first with \`npm run build\` (\`npm test\` does).`);
  }
}

/** A fresh copy of a fixture project, plus the named files from fixtures/violations copied into its src/. */
export function copyFixture(name: string, violations: readonly string[] = []): string {
  fs.mkdirSync(scratch, { recursive: true });
  const target = fs.mkdtempSync(path.join(scratch, `${name}-`));
  fs.cpSync(path.join(fixtures, name), target, { recursive: true });
  for (const file of violations) addViolation(target, file);
  return target;
}

export function addViolation(project: string, file: string): void {
  fs.copyFileSync(path.join(fixtures, 'violations', file), path.join(project, 'src', file));
}

export function removeProject(project: string): void {
  fs.rmSync(project, { recursive: true, force: true });
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the real binary in `cwd`; NO_COLOR and FORCE_COLOR from the outer shell are dropped. */
export function safecall(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binary, ...args], { cwd, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface JsonFinding {
  readonly tool: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly hint: string;
}

export interface JsonReport {
  readonly version: number;
  readonly summary: { errors: number; warnings: number; suppressed: number; filesChecked: number; typeChecked: boolean };
  readonly findings: readonly JsonFinding[];
  readonly rules: readonly { id: string; tool: string; description: string | null; helpUri: string | null }[];
}

export function parseJsonReport(run: Run): JsonReport {
  try {
    return JSON.parse(run.stdout) as JsonReport;
  } catch {
    throw new Error(`expected a JSON report on stdout, got:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
