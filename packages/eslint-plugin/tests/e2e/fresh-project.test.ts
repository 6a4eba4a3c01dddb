// The README's three lines of eslint.config.js in a new project, run by the real `eslint` binary on the built package.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTempProject, repoRoot, tempTsconfig, type TempProject } from './temp-project.js';

const run = promisify(execFile);
const eslintBin = path.join(repoRoot, 'node_modules', '.bin', 'eslint');
const pluginDir = path.resolve(import.meta.dirname, '../..');

/** The configuration block the README documents, read from the README itself so the two cannot drift. */
function readmeConfig(): string {
  const readme = fs.readFileSync(path.join(pluginDir, 'README.md'), 'utf8');
  const block = /`eslint\.config\.js`:\s*```js\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```js block after "`eslint.config.js`:"');
  return block[1]!;
}

const sources = {
  'src/payouts.ts': `import { randomUUID } from 'node:crypto';
import type { Runtime } from '@safecall/runtime';

export async function requestPayout(runtime: Runtime, accountId: string, amountCents: number) {
  return runtime.accept('payout', { idemKey: randomUUID(), accountId, amountCents });
}
`,
  // Plain JavaScript: linted by the preset without types; the typed presets leave it to the project service's TypeScript files.
  'src/refunds.js': `export async function refundOrder(knex, orderId) {
  await knex.transaction(async (trx) => {
    await trx('orders').where({ id: orderId }).update({ status: 'refunded' });
    await fetch('https://payments.example.com/refunds', { method: 'POST', body: orderId });
  });
}
`,
  // Complete but for its Reaper: only the type-checked presets see a whole program.
  'src/payout.orchestrator.ts': `import { Finalizer, Orchestrator, Outcome, type Command } from '@safecall/runtime';

export interface PayoutCommand extends Command {
  readonly accountId: string;
}

export class PayoutOrchestrator extends Orchestrator<PayoutCommand, void> {
  protected async executeInternal() {
    return Outcome.ok(undefined);
  }
}

export class PayoutFinalizer extends Finalizer<PayoutOrchestrator> {
  finalize(): void {}
}
`,
};

const fixedSources = {
  'src/payouts.ts': sources['src/payouts.ts']
    .replace(/^import \{ randomUUID \} from 'node:crypto';\n/, '')
    .replace('idemKey: randomUUID()', 'idemKey: `payout:${accountId}`'),
  'src/payout.orchestrator.ts': sources['src/payout.orchestrator.ts']
    .replace('import { Finalizer, ', 'import { Finalizer, Reaper, ')
    .concat('\nexport class PayoutReaper extends Reaper<PayoutOrchestrator> {}\n'),
};

/** A new project: package.json, tsconfig, the README's eslint.config.js for `preset`, and `files`. */
function createFreshProject(preset: string, files: Readonly<Record<string, string>>): TempProject {
  const config = readmeConfig().replace('safecall.configs.recommended', `safecall.configs[${JSON.stringify(preset)}]`);
  return createTempProject(
    {
      'package.json': JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }, null, 2),
      'tsconfig.json': tempTsconfig({ fromSource: false }),
      'eslint.config.js': config,
      ...files,
    },
    ['@safecall/eslint-plugin', '@safecall/runtime'],
  );
}

/** What each preset reports on `sources`: only the type-checked ones see that the Reaper is missing. */
const expectedByPreset: [preset: string, reports: string[]][] = [
  ['recommended', ['src/payouts.ts:5 safecall/no-random-idempotency-key', 'src/refunds.js:4 safecall/no-external-call-in-transaction']],
  [
    'recommended-type-checked',
    ['src/payout.orchestrator.ts:7 safecall/orchestrator-requires-recovery', 'src/payouts.ts:5 safecall/no-random-idempotency-key'],
  ],
  [
    'strict',
    ['src/payout.orchestrator.ts:7 safecall/orchestrator-requires-recovery', 'src/payouts.ts:5 safecall/no-random-idempotency-key'],
  ],
];

interface EslintRun {
  readonly exitCode: number;
  readonly messages: readonly { file: string; line: number; ruleId: string | null }[];
  readonly stderr: string;
}

async function runEslint(dir: string): Promise<EslintRun> {
  try {
    const { stdout, stderr } = await run(eslintBin, ['--format', 'json', '.'], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } });
    return { exitCode: 0, messages: parseJson(stdout, dir), stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, messages: failed.code === 1 ? parseJson(failed.stdout ?? '', dir) : [], stderr: failed.stderr ?? '' };
  }
}

function parseJson(stdout: string, dir: string): EslintRun['messages'] {
  const results = JSON.parse(stdout) as { filePath: string; messages: { line: number; ruleId: string | null }[] }[];
  return results.flatMap((result) =>
    result.messages.map((message) => ({ file: path.relative(dir, result.filePath), line: message.line, ruleId: message.ruleId })),
  );
}

describe('a fresh project with the README configuration', () => {
  beforeAll(() => {
    for (const dir of [pluginDir, path.join(repoRoot, 'packages', 'runtime')]) {
      const dist = path.join(dir, 'dist', 'index.js');
      if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` (npm test does) before this test`);
    }
  });

  it('documents the three-line form', () => {
    expect(readmeConfig().trim().split('\n').filter(Boolean)).toEqual([
      "import safecall from '@safecall/eslint-plugin';",
      'export default [safecall.configs.recommended];',
    ]);
  });

  // Each case spawns its own eslint process on its own project, so they run side by side.
  // Generous: on a busy two-core CI machine a cold type-checked run can take a minute or more.
  const caseOptions = { timeout: 300_000 };
  it.concurrent.for(expectedByPreset)('%s: exits 1 and reports the violations, from the built package', caseOptions, async ([preset, expected], { expect }) => {
    const project = createFreshProject(preset, sources);
    try {
      const result = await runEslint(project.dir);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(1);
      expect(result.messages.map((m) => `${m.file}:${m.line} ${m.ruleId}`).sort()).toEqual(expected);
    } finally {
      project.remove();
    }
  });

  it.concurrent('strict: exits 0 once the violations are fixed', caseOptions, async ({ expect }) => {
    const project = createFreshProject('strict', fixedSources);
    try {
      expect(await runEslint(project.dir)).toEqual({ exitCode: 0, messages: [], stderr: '' });
    } finally {
      project.remove();
    }
  });
});
