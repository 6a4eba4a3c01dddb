// The repository's own eslint.config.js runs our rules on our code, and the runtime and the demo built on it pass them.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import safecall from '@safecall/eslint-plugin';
import { repoRoot } from './temp-project.js';

const allRules = Object.keys(safecall.rules).map((name) => `safecall/${name}`).sort();
const recommendedRules = Object.keys(safecall.configs.recommended.rules ?? {}).sort();

function enabledSafecallRules(config: { rules?: Record<string, unknown> }): string[] {
  return Object.entries(config.rules ?? {})
    .filter(([name, setting]) => name.startsWith('safecall/') && (Array.isArray(setting) ? setting[0] : setting) === 2)
    .map(([name]) => name)
    .sort();
}

describe("the repository's eslint.config.js", () => {
  const eslint = new ESLint({ cwd: repoRoot });

  it('runs every rule, with types, on the sources of the packages', async () => {
    for (const file of ['packages/runtime/src/runtime.ts', 'packages/cli/src/index.ts', 'rules/src/index.ts', 'demo/payments.ts']) {
      const config = await eslint.calculateConfigForFile(path.join(repoRoot, file));
      expect(enabledSafecallRules(config), file).toEqual(allRules);
      expect(config.languageOptions.parserOptions, file).toMatchObject({ projectService: true });
    }
  });

  it('runs the rules that need no types on tests and scripts', async () => {
    const config = await eslint.calculateConfigForFile(path.join(repoRoot, 'packages/runtime/test/postgres/helpers.ts'));
    expect(enabledSafecallRules(config)).toEqual(recommendedRules);
  });

  it('finds no safecall violation in the runtime and the demo application', async () => {
    const results = await eslint.lintFiles(['packages/runtime/src', 'demo']);
    const violations = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId?.startsWith('safecall/') || message.fatal)
        .map((message) => `${path.relative(repoRoot, result.filePath)}:${message.line} ${message.ruleId} ${message.message}`),
    );
    expect(results.length).toBeGreaterThan(10);
    expect(violations).toEqual([]);
  }, 300_000);
});
