// require-sdk-idempotency-key on whole files written the way real backends call provider SDKs
// (tests/corpus/sdk-key/fixtures): real ESLint with the plugin's presets and the SDKs' real type
// definitions; every annotated report appears, nothing else does.
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
// From the sources, so the test checks this tree's rule and presets whether or not dist/ was rebuilt.
import safecall from '../../src/index.js';
import { actualReports, expectedReports, listTypeScriptFiles, readAnnotations, type Annotation } from '../support/annotations.js';

const corpusDir = path.join(import.meta.dirname, 'sdk-key');
const fixturesDir = path.join(corpusDir, 'fixtures');
const ruleId = 'safecall/require-sdk-idempotency-key';

/** Each run: a preset as a user enables it, plus the rule's options where the run names them. */
const runs: Record<string, { preset: 'recommended-type-checked' | 'strict'; ruleOptions?: Record<string, unknown> }> = {
  'recommended-type-checked': { preset: 'recommended-type-checked' },
  strict: { preset: 'strict' },
  // The HTTP half is off until hosts are configured; `checkUpdates` keeps strict's update checks on.
  'strict+hosts': { preset: 'strict', ruleOptions: { hosts: ['payments.example'], checkUpdates: true } },
  // Emptying ignoreResources reports the short-lived sessions, links and tokens the default leaves quiet.
  'ignore-nothing': { preset: 'recommended-type-checked', ruleOptions: { ignoreResources: [] } },
};

async function lintCorpus(run: string): Promise<ESLint.LintResult[]> {
  const { preset, ruleOptions } = runs[run]!;
  const eslint = new ESLint({
    cwd: corpusDir,
    overrideConfigFile: true,
    overrideConfig: [
      safecall.configs[preset] as Linter.Config,
      { languageOptions: { parserOptions: { tsconfigRootDir: corpusDir } } },
      ...(ruleOptions ? [{ rules: { [ruleId]: ['error', ruleOptions] } } as Linter.Config] : []),
    ],
  });
  return eslint.lintFiles(['fixtures']);
}

/** This rule's reports (and parse errors) only: the other rules have corpora of their own. */
function ownReports(results: readonly ESLint.LintResult[]): ESLint.LintResult[] {
  return results.map((result) => ({
    ...result,
    messages: result.messages.filter((message) => message.ruleId === ruleId || message.ruleId === null),
  }));
}

describe('require-sdk-idempotency-key on the SDK corpus', () => {
  let annotations: Annotation[];
  beforeAll(() => {
    annotations = readAnnotations(fixturesDir);
  });

  it('annotates only this rule, for known runs', () => {
    expect(annotations.length).toBeGreaterThan(20);
    for (const annotation of annotations) {
      const where = `${annotation.file}:${annotation.line}`;
      expect(annotation.ruleId, where).toBe(ruleId);
      for (const run of annotation.presets ?? []) expect(Object.keys(runs), where).toContain(run);
    }
  });

  it('is checked on updates by the strict preset only', () => {
    expect(safecall.configs['recommended-type-checked'].rules?.[ruleId]).toBe('error');
    expect(safecall.configs.strict.rules?.[ruleId]).toEqual(['error', { checkUpdates: true }]);
  });

  describe.each(Object.keys(runs))('%s', (run) => {
    let results: ESLint.LintResult[];
    beforeAll(async () => {
      results = ownReports(await lintCorpus(run));
    }, 300_000);

    it('lints every file of the corpus', () => {
      const linted = results.map((result) => path.relative(fixturesDir, result.filePath).split(path.sep).join('/'));
      expect(linted.sort()).toEqual(listTypeScriptFiles(fixturesDir));
    });

    it('reports exactly the annotated lines', () => {
      expect(actualReports(results, fixturesDir)).toEqual(expectedReports(annotations, run, new Set([ruleId])));
    });

    it('names the SDK method and offers the options argument wherever a key is missing', () => {
      const missing = results.flatMap((result) => result.messages).filter((message) => message.messageId === 'missingKey');
      expect(missing.length).toBeGreaterThan(5);
      for (const message of missing) {
        expect(message.message).toMatch(/^'[^']+\.\w+' changes state at /);
        expect(message.suggestions?.length, message.message).toBe(1);
      }
    });
  });
});
