// A file that does not parse, and a very large one: ESLint reports, never crashes, and lints the rest.
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import safecall from '@safecall/eslint-plugin';
import { actualReports } from './annotations.js';
import { generateOrchestrators } from './generated-project.js';
import { createTempProject, tempTsconfig, type TempProject } from './temp-project.js';

const brokenSource = `import { Orchestrator, Outcome } from '@safecall/runtime';

export class HalfWrittenOrchestrator extends Orchestrator<never, void> {
  protected async executeInternal() {
    return Outcome.ok(undefined
  }
}
`;

const neighbourSource = `import { randomUUID } from 'node:crypto';
import type { Runtime } from '@safecall/runtime';

export async function requestPayout(runtime: Runtime, accountId: string, amountCents: number) {
  return runtime.accept('payout', { idemKey: randomUUID(), accountId, amountCents });
}
`;

const generated = generateOrchestrators(5000);

let project: TempProject;
beforeAll(() => {
  project = createTempProject(
    {
      'tsconfig.json': tempTsconfig({ fromSource: true }),
      'src/broken.ts': brokenSource,
      'src/payouts.ts': neighbourSource,
      'src/generated/charges.ts': generated.text,
    },
    ['@safecall/runtime'],
  );
});
afterAll(() => project?.remove());

function eslintWith(preset: keyof typeof safecall.configs): ESLint {
  return new ESLint({
    cwd: project.dir,
    overrideConfigFile: true,
    overrideConfig: [safecall.configs[preset] as Linter.Config, { languageOptions: { parserOptions: { tsconfigRootDir: project.dir } } }],
  });
}

describe.each(['recommended', 'strict'] as const)('%s', (preset) => {
  let results: ESLint.LintResult[];
  beforeAll(async () => {
    results = await eslintWith(preset).lintFiles(['src']);
  }, 300_000);

  it('reports a file that does not parse as one fatal error with its file and line', () => {
    const broken = results.find((result) => result.filePath === path.join(project.dir, 'src', 'broken.ts'));
    expect(broken?.messages).toEqual([
      expect.objectContaining({ fatal: true, ruleId: null, severity: 2, line: 6, message: expect.stringMatching(/^Parsing error: /) }),
    ]);
    expect(broken?.fatalErrorCount).toBe(1);
  });

  it('still lints the files beside the broken one', () => {
    const neighbour = results.find((result) => result.filePath === path.join(project.dir, 'src', 'payouts.ts'));
    expect(neighbour?.messages.map((message) => `${message.line} ${message.ruleId}`)).toEqual(['5 safecall/no-random-idempotency-key']);
  });

  it(`lints a generated ${generated.lineCount}-line file and reports exactly the planted violations`, () => {
    expect(generated.lineCount).toBeGreaterThanOrEqual(5000);
    const large = results.filter((result) => result.filePath.endsWith('charges.ts'));
    expect(actualReports(large, path.join(project.dir, 'src', 'generated'))).toEqual(
      generated.expected.map(({ line, ruleId }) => `charges.ts:${line} ${ruleId}`).sort(),
    );
    expect(generated.expected.length).toBeGreaterThan(20);
  });
});

it('reports the parse error through the CLI formatter with the file name and position', async () => {
  const eslint = eslintWith('recommended');
  const results = await eslint.lintFiles(['src/broken.ts']);
  const text = await (await eslint.loadFormatter('stylish')).format(results);
  expect(text).toContain(path.join(project.dir, 'src', 'broken.ts'));
  expect(text).toMatch(/6:\d+\s+error\s+Parsing error: /);
});
