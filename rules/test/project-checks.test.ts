import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProjectChecks, type Finding, type ProjectCheckOptions } from '@safecall/architecture';

const project = (name: string) => fileURLToPath(new URL(`fixtures/project-checks/${name}`, import.meta.url));

const located = (finding: Finding) => `${finding.ruleId} ${finding.file}:${finding.line}:${finding.column}`;

async function findingsOf(name: string, options: Omit<ProjectCheckOptions, 'cwd'> = {}) {
  return runProjectChecks({ cwd: project(name), ...options });
}

// Each run builds a real TypeScript program and lints it with type information.
const typed = { timeout: 120_000 };

describe('runProjectChecks', () => {
  it('finds nothing in a clean project: named, placed, registered with its own Finalizer and Reaper', typed, async () => {
    expect(await findingsOf('clean')).toEqual([]);
  });

  it('flags a registration that pairs an Orchestrator with the Finalizer or Reaper of another', typed, async () => {
    const findings = await findingsOf('misregistered');
    expect(findings.map(located)).toEqual([
      'safecall-architecture/registered-with-recovery src/main.ts:11:67',
      'safecall-architecture/registered-with-recovery src/main.ts:16:53',
    ]);
    expect(findings[0]?.message).toContain("The 'finalizer' given for PaymentOrchestrator is RefundFinalizer, the Finalizer of RefundOrchestrator");
    expect(findings[1]?.message).toContain("The 'reaper' given for RefundOrchestrator is PaymentReaper, the Reaper of PaymentOrchestrator");
  });

  it('flags classes outside their layer file and an Orchestrator not named as one, not an abstract base', typed, async () => {
    const findings = await findingsOf('misplaced');
    expect(findings.map(located)).toEqual([
      'safecall-architecture/file-placement src/capture.orchestrator.ts:5:14',
      'safecall-architecture/file-placement src/payment.ts:4:18',
      'safecall-architecture/file-placement src/payment.ts:9:14',
      'safecall-architecture/file-placement src/recovery.ts:5:14',
      'safecall-architecture/file-placement src/recovery.ts:7:14',
      'safecall-architecture/file-placement src/recovery.ts:11:14',
    ]);
    expect(findings[0]?.message).toContain("CaptureFlow is an Orchestrator; end its name with 'Orchestrator' (e.g. CaptureFlowOrchestrator)");
    expect(findings[2]?.message).toContain('PaymentOrchestrator is an Orchestrator but lives in src/payment.ts');
    expect(findings[2]?.message).toContain('(e.g. payment.orchestrator.ts)');
  });

  it("flags a mutable command through the ESLint plugin's immutable-command rule", typed, async () => {
    expect((await findingsOf('mutable-command')).map(located)).toEqual(['safecall/immutable-command src/payment.command.ts:5:3']);
  });

  it("flags an Orchestrator without a Reaper through the plugin's orchestrator-requires-recovery rule", typed, async () => {
    const findings = await findingsOf('missing-recovery');
    expect(findings.map(located)).toEqual(['safecall/orchestrator-requires-recovery src/payment.orchestrator.ts:6:14']);
    expect(findings[0]).toMatchObject({ tool: 'project-checks', severity: 'error' });
    expect(findings[0]?.hint).toMatch(/^https?:|See https?:/);
  });

  it('reports only in the given files, while still reading the whole program', typed, async () => {
    // The Reapers in recovery.ts are found only because capture.orchestrator.ts and payment.ts are in the program.
    const findings = await findingsOf('misplaced', { files: ['src/recovery.ts'] });
    expect(findings.map(located)).toEqual([
      'safecall-architecture/file-placement src/recovery.ts:5:14',
      'safecall-architecture/file-placement src/recovery.ts:7:14',
      'safecall-architecture/file-placement src/recovery.ts:11:14',
    ]);
  });

  it('takes the layer patterns the dependency-cruiser rules take', typed, async () => {
    const findings = await findingsOf('misplaced', { files: ['src/recovery.ts'], layers: { reaper: '(\\.reaper|/recovery)\\.ts$' } });
    expect(findings.map(located)).toEqual(['safecall-architecture/file-placement src/recovery.ts:7:14']);
  });

  it('rejects a missing tsconfig and a path that does not exist, naming them', async () => {
    await expect(findingsOf('clean', { tsconfig: 'tsconfig.app.json' })).rejects.toMatchObject({
      code: 'TSCONFIG_NOT_FOUND',
      message: expect.stringContaining('"tsconfig.app.json"'),
    });
    await expect(findingsOf('clean', { files: ['lib'] })).rejects.toMatchObject({
      code: 'PATH_NOT_FOUND',
      message: expect.stringContaining('"lib"'),
    });
  });
});
