// Real ESLint, each preset as a user enables it, over whole files: every annotated report appears, nothing else does.
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import safecall from '@safecall/eslint-plugin';
import { actualReports, expectedReports, listTypeScriptFiles, readAnnotations, type Annotation } from './annotations.js';

const shopDir = path.join(import.meta.dirname, 'fixtures', 'shop');
const presetNames = Object.keys(safecall.configs) as (keyof typeof safecall.configs)[];

function enabledRules(preset: keyof typeof safecall.configs): Set<string> {
  return new Set(Object.keys(safecall.configs[preset].rules ?? {}));
}

async function lintShop(preset: keyof typeof safecall.configs): Promise<ESLint.LintResult[]> {
  const eslint = new ESLint({
    cwd: shopDir,
    overrideConfigFile: true,
    overrideConfig: [
      safecall.configs[preset] as Linter.Config,
      { languageOptions: { parserOptions: { tsconfigRootDir: shopDir } } },
    ],
  });
  return eslint.lintFiles(['src']);
}

describe('the presets on a whole project', () => {
  let annotations: Annotation[];
  beforeAll(() => {
    annotations = readAnnotations(path.join(shopDir, 'src'));
  });

  it('knows every preset and every rule its fixtures annotate', () => {
    expect([...presetNames].sort()).toEqual(['recommended', 'recommended-type-checked', 'strict']);
    for (const annotation of annotations) {
      const where = `${annotation.file}:${annotation.line}`;
      expect(annotation.ruleId, where).toMatch(/^safecall\//);
      expect(Object.keys(safecall.rules), where).toContain(annotation.ruleId.slice('safecall/'.length));
      for (const preset of annotation.presets ?? []) {
        expect(presetNames, where).toContain(preset);
        expect([...enabledRules(preset as keyof typeof safecall.configs)], `${where}: ${preset} does not enable it`).toContain(
          annotation.ruleId,
        );
      }
    }
  });

  describe.each(presetNames)('%s', (preset) => {
    let results: ESLint.LintResult[];
    beforeAll(async () => {
      results = await lintShop(preset);
    }, 300_000);

    it('lints every file of the project', () => {
      const linted = results.map((result) => path.relative(path.join(shopDir, 'src'), result.filePath).split(path.sep).join('/'));
      expect(linted.sort()).toEqual(listTypeScriptFiles(path.join(shopDir, 'src')));
    });

    it('reports exactly the annotated rules on the annotated lines', () => {
      expect(actualReports(results, path.join(shopDir, 'src'))).toEqual(
        expectedReports(annotations, preset, enabledRules(preset)),
      );
    });

    it('exercises every rule the preset enables', () => {
      const reported = new Set(results.flatMap((result) => result.messages.map((message) => message.ruleId)));
      const silent = [...enabledRules(preset)].filter((rule) => !reported.has(rule));
      expect(silent, 'rules with no case in tests/e2e/fixtures/shop: add a realistic violation with an annotation').toEqual([]);
    });

    it('reports nothing in the clean reference code (payments/, shared/)', () => {
      const clean = results.filter((result) => /[\\/](payments|shared)[\\/]/.test(result.filePath));
      expect(clean.length).toBeGreaterThan(5);
      expect(clean.flatMap((result) => result.messages)).toEqual([]);
    });
  });

  it('names the path from the transaction to the network call through the interface implementation', async () => {
    const results = await lintShop('recommended-type-checked');
    const service = results.find((result) => result.filePath.endsWith(path.join('orders', 'orders.service.ts')))!;
    const callLine = service.source!.split('\n').findIndex((text) => text.includes('await this.settleOrder(')) + 1;
    const typed = service.messages.filter((message) => message.line === callLine);
    expect(typed).toHaveLength(1);
    expect(typed[0]!.message).toContain(
      'settleOrder → settlement.settle (StripeSettlementHandler.settle) → stripe.paymentIntents.capture',
    );
  }, 300_000);
});
