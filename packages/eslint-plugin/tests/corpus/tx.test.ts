// no-external-call-in-transaction on the shapes real backends take: real ESLint with the
// recommended-type-checked preset over tests/corpus/tx, each report matched against the file's annotations.
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
// The sources, not the build that the package name resolves to under vitest: this corpus tests the analysis as it is now.
import safecall from '../../src/index.js';
import { actualReports, expectedReports, listTypeScriptFiles, readAnnotations } from '../e2e/annotations.js';

const corpusDir = path.join(import.meta.dirname, 'tx');
const ruleId = 'safecall/no-external-call-in-transaction';

describe('no-external-call-in-transaction on the transaction corpus', () => {
  let results: ESLint.LintResult[];
  beforeAll(async () => {
    const eslint = new ESLint({
      cwd: corpusDir,
      overrideConfigFile: true,
      overrideConfig: [
        safecall.configs['recommended-type-checked'] as Linter.Config,
        { languageOptions: { parserOptions: { tsconfigRootDir: corpusDir } } },
      ],
    });
    results = await eslint.lintFiles(['.']);
  }, 300_000);

  it('lints every corpus file', () => {
    const linted = results.map((result) => path.relative(corpusDir, result.filePath).split(path.sep).join('/'));
    expect(linted.sort()).toEqual(listTypeScriptFiles(corpusDir));
  });

  it('reports exactly the annotated lines, and parses every file', () => {
    const annotations = readAnnotations(corpusDir).filter((annotation) => annotation.ruleId === ruleId);
    expect(annotations.length).toBeGreaterThan(20);
    // Other rules of the preset (idempotency keys, …) may report here too; this corpus is about one rule.
    const reports = actualReports(results, corpusDir).filter((report) => report.endsWith(` ${ruleId}`) || report.includes('parse error'));
    expect(reports).toEqual(expectedReports(annotations, 'recommended-type-checked', new Set([ruleId])));
  });

  it('names the path through the interface to the vendor call', () => {
    const knex = results.find((result) => result.filePath.endsWith('knex-callback.ts'))!;
    const message = knex.messages.find((m) => m.ruleId === ruleId)?.message;
    expect(message).toContain('SendGridProvider.notify');
    expect(message).toContain('@sendgrid/mail');
  });

  it("names the project's own transaction helper and what it opens", () => {
    const uow = results.find((result) => result.filePath.endsWith('unit-of-work.ts'))!;
    const messages = uow.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
    expect(messages[0]).toContain('inTx() → prisma.$transaction()');
    expect(messages[1]).toContain('uow.run() → @Transactional()');
  });

  it('names the function handed to the transaction by reference and the call it reaches', () => {
    const billing = results.find((result) => result.filePath.endsWith('billing-references.ts'))!;
    const messages = billing.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
    expect(messages[0]).toContain('recordUsage → stripe.billing.meterEvents.create');
  });

  it('names the statement that began an imperative transaction', () => {
    const pg = results.find((result) => result.filePath.endsWith('pg-client.ts'))!;
    expect(pg.messages.find((m) => m.ruleId === ruleId)?.message).toContain("client.query('BEGIN')");
  });
});
