import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ArchitectureCheckError,
  createArchitectureRules,
  cruiseArchitecture,
  defaultLayers,
  type Finding,
} from '@safecall/architecture';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

/** What a finding says in one line: rule, place, severity. */
const located = (finding: Finding) => `${finding.ruleId} ${finding.file}:${finding.line}:${finding.column} ${finding.severity}`;

async function findingsOf(name: string, options: Omit<Parameters<typeof cruiseArchitecture>[0], 'cwd'> = {}) {
  const { findings } = await cruiseArchitecture({ cwd: fixture(name), ...options });
  return findings;
}

describe('the safecall dependency-cruiser rules', () => {
  it('find nothing in a clean project that follows every layer rule', async () => {
    expect(await findingsOf('clean')).toEqual([]);
  });

  it('flag a runtime import cycle but not a cycle of type-only imports', async () => {
    const findings = await findingsOf('circular');
    expect(findings.map(located)).toEqual(['no-circular src/order.service.ts:1:25 error']);
    expect(findings[0]?.message).toBe(
      'is part of a dependency cycle: src/order.service.ts → src/pricing.service.ts → src/order.service.ts',
    );
  });

  it('flag provider SDK imports outside gateways, and allow them in gateways and tests', async () => {
    const findings = await findingsOf('sdk-outside-gateway');
    expect(findings.map(located)).toEqual([
      'sdk-only-in-gateway src/notify.ts:1:20 error',
      'sdk-only-in-gateway src/upload.orchestrator.ts:1:44 error',
    ]);
    expect(findings[0]?.message).toMatch(/^imports 'twilio'/);
  });

  it('flag an orchestrator that imports a transaction library, not one that only names its types', async () => {
    expect((await findingsOf('transaction-library-in-orchestrator')).map(located)).toEqual([
      'no-transaction-library-in-orchestrator src/refund.orchestrator.ts:3:31 error',
    ]);
  });

  it('flag a controller that imports a gateway, not one that only uses its types', async () => {
    expect((await findingsOf('controller-imports-gateway')).map(located)).toEqual([
      'controller-gateway-via-orchestrator src/shipping.controller.ts:1:33 error',
    ]);
  });

  it('flag a service that imports a gateway, the way a controller reaches one without an orchestrator', async () => {
    // The orchestrator and the composition root (app.ts) may import the gateway; the controller only names its type.
    expect((await findingsOf('service-calls-gateway')).map(located)).toEqual([
      'gateway-only-in-orchestrator src/reminder.service.ts:1:28 error',
    ]);
  });

  it('flag a command that does file I/O, not one that only names an HTTP client type', async () => {
    const findings = await findingsOf('io-in-command');
    expect(findings.map(located)).toEqual(['no-io-in-command src/receipt.command.ts:1:30 error']);
  });

  it('flag a finalizer that imports a gateway', async () => {
    expect((await findingsOf('gateway-in-finalizer')).map(located)).toEqual([
      'no-gateway-in-finalizer src/signup.finalizer.ts:2:30 error',
    ]);
  });

  it('flag a reaper that imports a gateway, and allow one that goes through its reconcile port', async () => {
    expect((await findingsOf('gateway-in-reaper')).map(located)).toEqual([
      'no-gateway-in-reaper src/payout.reaper.ts:2:31 error',
    ]);
  });

  it('flag a deep import of @safecall/runtime internals, not its public entry', async () => {
    expect((await findingsOf('runtime-internals')).map(located)).toEqual([
      'no-runtime-internals src/ops.ts:2:27 error',
    ]);
  });

  it("give every finding the rule's comment as the hint", async () => {
    const [finding] = await findingsOf('gateway-in-finalizer');
    const rule = createArchitectureRules().forbidden.find((candidate) => candidate.name === 'no-gateway-in-finalizer');
    expect(finding?.hint).toBe(rule?.comment);
    expect(finding?.tool).toBe('dependency-cruiser');
  });

  it('name every rule, give it a severity and a comment that says why and how to fix', () => {
    for (const rule of createArchitectureRules().forbidden) {
      expect(rule.name).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(rule.severity).toBe('error');
      expect(rule.comment?.length).toBeGreaterThan(80);
    }
  });
});

describe('createArchitectureRules options', () => {
  it('find layers by an overridden pattern', async () => {
    // With gateways recognised by folder instead of suffix, payout.gateway.ts is an ordinary module.
    const findings = await findingsOf('gateway-in-reaper', { rules: { layers: { gateway: '/gateways/' } } });
    expect(findings).toEqual([]);
  });

  it('replace the SDK list', async () => {
    const findings = await findingsOf('sdk-outside-gateway', { rules: { sdkPackages: ['twilio'] } });
    expect(findings.map(located)).toEqual(['sdk-only-in-gateway src/notify.ts:1:20 error']);
  });

  it('replace the transaction-library list', async () => {
    // A team whose own wrapper is the transaction library: typeorm-transactional is then not on the list.
    const findings = await findingsOf('transaction-library-in-orchestrator', { rules: { transactionLibraries: ['knex', '@acme/tx'] } });
    expect(findings).toEqual([]);
    const own = await findingsOf('transaction-library-in-orchestrator', { rules: { transactionLibraries: ['typeorm-*'] } });
    expect(own.map(located)).toEqual(['no-transaction-library-in-orchestrator src/refund.orchestrator.ts:3:31 error']);
  });

  it('set the severity of every rule', async () => {
    const findings = await findingsOf('gateway-in-finalizer', { rules: { severity: 'warn' } });
    expect(findings.map(located)).toEqual(['no-gateway-in-finalizer src/signup.finalizer.ts:2:30 warn']);
  });

  it('reject an unknown layer and a pattern that is not a regular expression', () => {
    expect(() => createArchitectureRules({ layers: { service: '\\.service\\.ts$' } as never })).toThrow(
      /unknown layer "service" in "layers"; known layers are command, orchestrator/,
    );
    expect(() => createArchitectureRules({ layers: { gateway: '(' } })).toThrow(/layers.gateway is not a regular expression/);
    expect(() => createArchitectureRules({ sdkPackages: 'stripe' as never })).toThrow(/"sdkPackages" must be an array/);
  });

  it('recognise each layer by its file suffix by default', () => {
    expect(new RegExp(defaultLayers.orchestrator).test('src/payment/payment.orchestrator.ts')).toBe(true);
    expect(new RegExp(defaultLayers.orchestrator).test('src/payment/payment-orchestrator.ts')).toBe(false);
    expect(new RegExp(defaultLayers.test).test('src/payment/payment.gateway.test.ts')).toBe(true);
  });
});

describe('a project config that extends the preset', () => {
  it("is used by cruiseArchitecture, with the project's overrides and own rules", async () => {
    expect((await findingsOf('extends-preset')).map(located)).toEqual([
      'no-gateway-in-reaper src/payout.reaper.ts:2:31 warn',
      'no-legacy src/payout.reaper.ts:3:30 error',
    ]);
  });

  it("runs in dependency-cruiser's own CLI, which prints each rule's comment", () => {
    const cli = dependencyCruiserBin();
    const run = spawnSync(process.execPath, [cli, '--config', '.dependency-cruiser.cjs', '--output-type', 'err-long', 'src'], {
      cwd: fixture('extends-preset'),
      encoding: 'utf8',
    });
    expect(run.stdout).toContain('warn no-gateway-in-reaper: src/payout.reaper.ts → src/payout.gateway.ts');
    expect(run.stdout).toContain('its reconcile port (*.reconcile.ts)');
    expect(run.stdout).toContain('error no-legacy: src/payout.reaper.ts → src/legacy/format.ts');
    expect(run.status).toBe(1);
  });
});

describe('cruiseArchitecture', () => {
  it('reports nothing for violations frozen in a baseline, and reports new ones', async () => {
    const { result } = await cruiseArchitecture({ cwd: fixture('sdk-outside-gateway') });
    const baseline = result.summary.violations.filter((violation) => violation.from === 'src/notify.ts');
    const findings = await findingsOf('sdk-outside-gateway', { knownViolations: baseline });
    expect(findings.map(located)).toEqual(['sdk-only-in-gateway src/upload.orchestrator.ts:1:44 error']);
  });

  it('cruises only the given paths', async () => {
    expect(await findingsOf('sdk-outside-gateway', { paths: ['src/storage.gateway.ts'] })).toEqual([]);
  });

  it('rejects a path, a config or a tsconfig that does not exist, naming it', async () => {
    await expect(findingsOf('clean', { paths: ['lib'] })).rejects.toMatchObject({
      code: 'PATH_NOT_FOUND',
      message: expect.stringContaining('"lib"'),
    });
    await expect(findingsOf('clean', { config: 'depcruise.cjs' })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: expect.stringContaining('"depcruise.cjs"'),
    });
    await expect(findingsOf('clean', { tsconfig: 'tsconfig.build.json' })).rejects.toBeInstanceOf(ArchitectureCheckError);
  });
});

/** The `depcruise` binary of the installed dependency-cruiser (its package.json "exports" hides the file). */
function dependencyCruiserBin(): string {
  const require = createRequire(import.meta.url);
  const candidates = (require.resolve.paths('dependency-cruiser') ?? []).map((folder) => join(folder, 'dependency-cruiser/bin/dependency-cruise.mjs'));
  const bin = candidates.find((candidate) => existsSync(candidate));
  if (!bin) throw new Error(`dependency-cruiser's binary is not installed; looked in ${candidates.join(', ')}`);
  return bin;
}
