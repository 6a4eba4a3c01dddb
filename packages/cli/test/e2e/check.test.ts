import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addViolation, assertBinaryBuilt, binary, copyFixture, parseJsonReport, removeProject, safecall } from './harness.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const repositoryRoot = path.resolve(packageRoot, '..', '..');

const projects: string[] = [];
function project(name: string, violations: readonly string[] = []): string {
  const created = copyFixture(name, violations);
  projects.push(created);
  return created;
}

beforeAll(assertBinaryBuilt);
afterAll(() => projects.forEach(removeProject));

// Every run builds a TypeScript program and cruises the project; a loaded CI machine needs time.
vi.setConfig({ testTimeout: 120_000 });

const expectedFindings = [
  { tool: 'eslint', ruleId: 'safecall/immutable-command', severity: 'error', file: 'src/refund.command.ts', line: 4, column: 3 },
  {
    tool: 'dependency-cruiser',
    ruleId: 'controller-gateway-via-orchestrator',
    severity: 'error',
    file: 'src/refund.controller.ts',
    line: 1,
  },
];

describe('safecall check on a clean project', () => {
  it('exits 0 and says so', async () => {
    const run = await safecall(['check'], project('shop'));
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('✔ no problems in 6 files');
    expect(run.status).toBe(0);
  });
});

describe('safecall check on a project with its own eslint-disable comments', () => {
  it('does not report directives for rules of the project\'s own config as findings', async () => {
    const run = await safecall(['check'], project('shop', ['foreign-directive.ts']));
    expect(run.stdout).not.toContain('Definition for rule');
    expect(run.stdout).toContain('✔ no problems in 7 files');
    expect(run.status).toBe(0);
  });
});

describe('safecall check on a project with violations', () => {
  let violating: string;
  beforeAll(() => {
    violating = project('shop', ['refund.command.ts', 'refund.controller.ts']);
  });

  it('reports ESLint and architecture findings in one pretty report, grouped by file, and exits 1', async () => {
    const run = await safecall(['check'], violating);
    expect(run.status).toBe(1);
    const lines = run.stdout.split('\n');
    const commandHeader = lines.indexOf('src/refund.command.ts');
    const controllerHeader = lines.indexOf('src/refund.controller.ts');
    expect(commandHeader).toBeGreaterThanOrEqual(0);
    expect(controllerHeader).toBeGreaterThan(commandHeader);
    expect(lines[commandHeader + 1]).toMatch(/^\s+4:3\s+error\s+.*safecall\/immutable-command$/);
    expect(lines[controllerHeader + 1]).toMatch(/^\s+1:\d+\s+error\s+.*controller-gateway-via-orchestrator$/);
    expect(lines[controllerHeader + 2]).toMatch(/^\s+fix: .*orchestrator/);
    expect(run.stdout).toContain('✖ 2 problems (2 errors, 0 warnings)');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('prints the documented JSON shape with every finding located', async () => {
    const run = await safecall(['check', '--format', 'json'], violating);
    expect(run.status).toBe(1);
    const report = parseJsonReport(run);
    expect(report.version).toBe(1);
    expect(report.summary).toEqual({ errors: 2, warnings: 0, suppressed: 0, filesChecked: 8, typeChecked: true });
    expect(report.findings).toHaveLength(expectedFindings.length);
    expectedFindings.forEach((expected, index) => expect(report.findings[index]).toMatchObject(expected));
    for (const finding of report.findings) {
      expect(Object.keys(finding).sort()).toEqual(['column', 'file', 'hint', 'line', 'message', 'ruleId', 'severity', 'tool']);
      expect(finding.message.length).toBeGreaterThan(0);
    }
    expect(report.rules.map((rule) => rule.id)).toEqual(['controller-gateway-via-orchestrator', 'safecall/immutable-command']);
    expect(report.rules.every((rule) => rule.helpUri?.startsWith('https://'))).toBe(true);
  });

  it('writes SARIF 2.1.0 that the official schema accepts, ready for code scanning', async () => {
    const output = path.join(violating, 'reports', 'safecall.sarif');
    const run = await safecall(['check', '--format', 'sarif', '--output', 'reports/safecall.sarif'], violating);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const log = JSON.parse(fs.readFileSync(output, 'utf8')) as Log;

    const schema = JSON.parse(fs.readFileSync(new URL('../sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);

    const [sarifRun] = log.runs;
    const rules = sarifRun?.tool.driver.rules ?? [];
    expect(rules.map((rule) => rule.id)).toEqual(['controller-gateway-via-orchestrator', 'safecall/immutable-command']);
    expect(rules.every((rule) => rule.helpUri?.startsWith('https://'))).toBe(true);
    expect(sarifRun?.results?.map((result) => [result.ruleId, result.level])).toEqual([
      ['safecall/immutable-command', 'error'],
      ['controller-gateway-via-orchestrator', 'error'],
    ]);
    const location = sarifRun?.results?.[0]?.locations?.[0]?.physicalLocation;
    expect(location?.artifactLocation).toEqual({ uri: 'src/refund.command.ts', uriBaseId: '%SRCROOT%' });
    expect(location?.region).toEqual({ startLine: 4, startColumn: 3 });
    for (const result of sarifRun?.results ?? []) {
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    }
  });

  it('lints without type information under --no-type-check', async () => {
    const report = parseJsonReport(await safecall(['check', '--no-type-check', '-f', 'json'], violating));
    expect(report.summary.typeChecked).toBe(false);
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(expectedFindings.map((finding) => finding.ruleId));
  });

  it('checks only the paths it is given', async () => {
    const run = await safecall(['check', 'src/refund.command.ts', '-f', 'json'], violating);
    const report = parseJsonReport(run);
    expect(report.findings.map((finding) => finding.file)).toEqual(['src/refund.command.ts']);
    expect(run.status).toBe(1);
  });
});

describe('safecall check runs the project checks of @safecall/architecture', () => {
  it('reports a registration without a Reaper and a command outside its layer file, in the same report', async () => {
    const misassembled = project('shop', ['main.ts', 'capture.ts']);
    const run = await safecall(['check', '-f', 'json'], misassembled);
    expect(run.status).toBe(1);
    const report = parseJsonReport(run);
    expect(report.findings.map(({ tool, ruleId, file, line }) => ({ tool, ruleId, file, line }))).toEqual([
      { tool: 'project-checks', ruleId: 'safecall-architecture/file-placement', file: 'src/capture.ts', line: 3 },
      { tool: 'project-checks', ruleId: 'safecall-architecture/registered-with-recovery', file: 'src/main.ts', line: 7 },
    ]);
    expect(report.findings[1]?.message).toContain('PaymentOrchestrator is registered without a Reaper');
    expect(report.rules.find((rule) => rule.id === 'safecall-architecture/file-placement')?.helpUri).toMatch(/README\.md#file-placement$/);

    // Registration needs the type checker; placement does not.
    const untyped = parseJsonReport(await safecall(['check', '--no-type-check', '-f', 'json'], misassembled));
    expect(untyped.findings.map((finding) => finding.ruleId)).toEqual(['safecall-architecture/file-placement']);
  });
});

describe('safecall check with layer patterns of its own', () => {
  it("places classes by the layers of the project's dependency-cruiser config, as the dependency rules do", async () => {
    const shop = project('shop');
    fs.renameSync(path.join(shop, 'src', 'payment.reaper.ts'), path.join(shop, 'src', 'payment.recovery.ts'));
    const unconfigured = parseJsonReport(await safecall(['check', '--no-type-check', '-f', 'json'], shop));
    expect(unconfigured.findings.map((finding) => `${finding.ruleId} ${finding.file}`)).toEqual([
      'safecall-architecture/file-placement src/payment.recovery.ts',
    ]);

    fs.writeFileSync(
      path.join(shop, '.dependency-cruiser.cjs'),
      "const { createArchitectureRules } = require('@safecall/architecture/rules');\n" +
        "module.exports = createArchitectureRules({ layers: { reaper: '\\\\.(reaper|recovery)\\\\.ts$' } });\n",
    );
    const configured = await safecall(['check', '--no-type-check', 'src', '-f', 'json'], shop);
    expect(parseJsonReport(configured).findings).toEqual([]);
    expect(configured.status).toBe(0);
  });
});

describe('safecall check --update-baseline', () => {
  it('freezes the violations of today, and later fails only on a new one', async () => {
    const legacy = project('shop', ['refund.command.ts', 'refund.controller.ts', 'capture.ts']);

    const freeze = await safecall(['check', '--update-baseline'], legacy);
    expect(freeze.status).toBe(0);
    expect(freeze.stderr).toContain('eslint-suppressions.json');
    // The project checks are ESLint rules: ESLint's bulk suppressions freeze them too.
    expect(JSON.parse(fs.readFileSync(path.join(legacy, 'eslint-suppressions.json'), 'utf8'))).toEqual({
      'src/capture.ts': { 'safecall-architecture/file-placement': { count: 1 } },
      'src/refund.command.ts': { 'safecall/immutable-command': { count: 1 } },
    });
    const known = JSON.parse(fs.readFileSync(path.join(legacy, '.dependency-cruiser-known-violations.json'), 'utf8')) as unknown[];
    expect(known).toEqual([
      expect.objectContaining({ from: 'src/refund.controller.ts', rule: expect.objectContaining({ name: 'controller-gateway-via-orchestrator' }) }),
    ]);

    const frozen = await safecall(['check', '-f', 'json'], legacy);
    expect(frozen.status).toBe(0);
    expect(parseJsonReport(frozen).summary).toMatchObject({ errors: 0, suppressed: 3 });

    addViolation(legacy, 'shipping.command.ts');
    addViolation(legacy, 'shipping.controller.ts');
    const later = await safecall(['check', '-f', 'json'], legacy);
    expect(later.status).toBe(1);
    const report = parseJsonReport(later);
    expect(report.findings.map((finding) => [finding.file, finding.ruleId])).toEqual([
      ['src/shipping.command.ts', 'safecall/immutable-command'],
      ['src/shipping.controller.ts', 'controller-gateway-via-orchestrator'],
    ]);
    expect(report.summary.suppressed).toBe(3);
  });
});

describe('the baseline is ESLint\'s own bulk-suppressions file', () => {
  it('is byte for byte what `eslint --suppress-all` writes for the same config', async () => {
    const withCli = project('shop', ['refund.command.ts', 'shipping.command.ts', 'capture.ts']);
    const withEslint = project('shop', ['refund.command.ts', 'shipping.command.ts', 'capture.ts']);
    expect((await safecall(['check', '--update-baseline'], withCli)).status).toBe(0);

    // ESLint's CLI on the very config `safecall check` builds (taken from the build, as the binary runs it).
    const lintModule = pathToFileURL(path.join(packageRoot, 'dist', 'lint.js')).href;
    fs.writeFileSync(
      path.join(withEslint, 'eslint.config.mjs'),
      `import { buildLintConfig } from ${JSON.stringify(lintModule)};\n` +
        `export default buildLintConfig(${JSON.stringify(withEslint)}, { kind: 'project-service', tsconfig: ${JSON.stringify(path.join(withEslint, 'tsconfig.json'))} });\n`,
    );
    const eslintBin = path.join(repositoryRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
    const eslint = spawnSync(process.execPath, [eslintBin, '--suppress-all', '--no-warn-ignored', 'src'], { cwd: withEslint, encoding: 'utf8' });
    expect(eslint.status, eslint.stdout + eslint.stderr).toBe(0);

    const written = fs.readFileSync(path.join(withCli, 'eslint-suppressions.json'), 'utf8');
    expect(Object.keys(JSON.parse(written) as object)).toEqual(['src/capture.ts', 'src/refund.command.ts', 'src/shipping.command.ts']);
    expect(written).toBe(fs.readFileSync(path.join(withEslint, 'eslint-suppressions.json'), 'utf8'));
  });
});

describe('safecall check usage and configuration errors (exit 2)', () => {
  let shop: string;
  beforeAll(() => {
    shop = project('shop');
  });

  it('names an unknown option', async () => {
    const run = await safecall(['check', '--frobnicate'], shop);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option '--frobnicate'");
    expect(run.stdout).toBe('');
  });

  it('names a bad format', async () => {
    const run = await safecall(['check', '--format', 'xml'], shop);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("invalid value 'xml' for --format (expected one of: pretty, json, sarif)");
  });

  it('names a path that does not exist', async () => {
    const run = await safecall(['check', 'src/no-such-dir'], shop);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('path does not exist: src/no-such-dir');
  });

  it('names the missing tsconfig when --type-check asks for types', async () => {
    const untyped = project('shop');
    fs.rmSync(path.join(untyped, 'tsconfig.json'));
    const run = await safecall(['check', '--type-check'], untyped);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--type-check needs a tsconfig.json');
  });

  it('names a --tsconfig file that does not exist', async () => {
    const run = await safecall(['check', '--tsconfig', 'tsconfig.build.json'], shop);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--tsconfig: file not found: tsconfig.build.json');
  });

  it('names a broken tsconfig instead of failing file by file', async () => {
    const broken = project('shop');
    fs.writeFileSync(path.join(broken, 'tsconfig.json'), '{ "compilerOptions": { "strict": true, } ');
    const run = await safecall(['check'], broken);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/tsconfig\.json is not a valid tsconfig: .+/);
  });

  it('names a dependency-cruiser config that does not load', async () => {
    const misconfigured = project('shop');
    fs.writeFileSync(path.join(misconfigured, '.dependency-cruiser.cjs'), "module.exports = { extends: '@safecall/architecture/recommended', forbidden: [ };\n");
    const run = await safecall(['check'], misconfigured);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/cannot read dependency-cruiser config .*\.dependency-cruiser\.cjs/);
  });

  it('names a baseline file that is not valid JSON', async () => {
    const edited = project('shop');
    fs.writeFileSync(path.join(edited, 'eslint-suppressions.json'), '{ "src/payment.command.ts": ');
    const run = await safecall(['check', '--no-type-check'], edited);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('eslint-suppressions.json is not valid JSON');
  });

  it('lints without types, not failing, when there is no tsconfig and none was asked for', async () => {
    const untyped = project('shop', ['refund.command.ts']);
    fs.rmSync(path.join(untyped, 'tsconfig.json'));
    const run = await safecall(['check', '-f', 'json'], untyped);
    expect(run.status).toBe(1);
    const report = parseJsonReport(run);
    expect(report.summary.typeChecked).toBe(false);
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['safecall/immutable-command']);
  });
});

describe('colour in the pretty report', () => {
  const violating = () => project('shop', ['refund.command.ts']);
  // `script` gives the binary a real pseudo-terminal, as a developer's shell does.
  const inTerminal = (cwd: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync('script', ['-qec', `"${process.execPath}" "${binary}" check --no-type-check`, '/dev/null'], {
      cwd,
      env: { ...process.env, NO_COLOR: '', ...env },
      encoding: 'utf8',
    });

  it('colours the pretty report on a terminal', async () => {
    const run = inTerminal(violating());
    expect(run.stdout).toContain('\u001b[31merror\u001b[39m');
  });

  it('keeps a JSON report free of colour and progress on a terminal', async () => {
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${binary}" check --no-type-check -f json`, '/dev/null'], {
      cwd: violating(),
      env: { ...process.env, NO_COLOR: '' },
      encoding: 'utf8',
    });
    expect(run.stdout).toContain('"safecall/immutable-command"');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('does not colour it when NO_COLOR is set', async () => {
    const run = inTerminal(violating(), { NO_COLOR: '1' });
    expect(run.stdout).toContain('safecall/immutable-command');
    expect(run.stdout).not.toContain('\u001b[31m');
  });
});
