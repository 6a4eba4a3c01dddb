import fs from 'node:fs';
import path from 'node:path';
import type { CheckOptions } from './args.js';
import { checkArchitecture, layersUsed } from './architecture.js';
import { writeBaseline } from './baseline.js';
import { UsageError } from './errors.js';
import { lintProject, parseErrorRuleId } from './lint.js';
import type { Progress } from './progress.js';
import { sortFindings, type CheckReport, type Finding, type RuleInfo } from './report.js';
import { resolveTypeInformation } from './tsconfig.js';

export interface CheckRun {
  readonly report: CheckReport;
  /** The baseline files written by `--update-baseline`, relative to the cwd. */
  readonly baselineFiles: readonly string[];
}

/**
 * `safecall check`: ESLint with the plugin and the project checks, then the dependency-cruiser rules,
 * merged into one report. Always computed afresh (no cache), so whole-program results are never stale.
 */
export async function runCheck(options: CheckOptions, cwd: string, progress: Progress): Promise<CheckRun> {
  assertPathsExist(cwd, options.paths);
  const types = resolveTypeInformation(cwd, options.typeCheck, options.tsconfig);
  const applyBaseline = !options.updateBaseline;

  // dependency-cruiser first: it is the quicker pass, so a broken config or baseline fails in seconds.
  progress.phase('dependency-cruiser');
  const architecture = await checkArchitecture({ cwd, paths: options.paths, types, applyBaseline });
  progress.phase(types.kind === 'none' ? 'ESLint' : 'ESLint (type-aware)');
  // file-placement judges placement by the same layer patterns the dependency rules used.
  const { test: _test, ...layers } = layersUsed(architecture.result);
  const lint = await lintProject({ cwd, paths: options.paths, types, applyBaseline, layers });

  let findings: readonly Finding[] = [...lint.findings, ...architecture.findings];
  let suppressed = lint.suppressed + architecture.suppressed;
  let baselineFiles: readonly string[] = [];
  if (options.updateBaseline) {
    progress.phase('baseline');
    baselineFiles = await writeBaseline(cwd, lint.results, architecture.result);
    const remaining = findings.filter(survivesBaseline);
    suppressed += findings.length - remaining.length;
    findings = remaining;
  }
  progress.done();

  return {
    report: {
      findings: sortFindings(findings),
      rules: usedRules([...lint.rules, ...architecture.rules], findings),
      suppressed,
      typeChecked: types.kind !== 'none',
      filesChecked: lint.results.length,
    },
    baselineFiles,
  };
}

/**
 * What a fresh baseline cannot freeze: ESLint only suppresses error-level rule violations (warnings
 * never fail a run anyway), and a file that does not parse has no rule to suppress.
 */
function survivesBaseline(finding: Finding): boolean {
  return finding.tool !== 'dependency-cruiser' && (finding.severity !== 'error' || finding.ruleId === parseErrorRuleId);
}

function usedRules(rules: readonly RuleInfo[], findings: readonly Finding[]): RuleInfo[] {
  const used = new Set(findings.map((finding) => finding.ruleId));
  return rules.filter((rule) => used.has(rule.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function assertPathsExist(cwd: string, paths: readonly string[]): void {
  const missing = paths.find((target) => !fs.existsSync(path.resolve(cwd, target)));
  if (missing !== undefined) throw new UsageError(`path does not exist: ${missing}`);
}
