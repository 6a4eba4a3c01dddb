import { compareFindings, type Finding, type FindingTool } from '@safecall/architecture';

export type { Finding, FindingSeverity, FindingTool } from '@safecall/architecture';

/** What a formatter needs to know about a rule that produced findings. */
export interface RuleInfo {
  readonly id: string;
  readonly tool: FindingTool;
  readonly description?: string;
  readonly helpUri?: string;
}

/** The one report `safecall check` prints, whatever the format. */
export interface CheckReport {
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleInfo[];
  /** Violations hidden by the baseline (eslint-suppressions.json, dependency-cruiser's known violations). */
  readonly suppressed: number;
  readonly typeChecked: boolean;
  readonly filesChecked: number;
}

export interface SeverityCounts {
  readonly errors: number;
  readonly warnings: number;
}

/** `warn` and `info` both count as warnings: neither fails the run. */
export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}

/** Exit code of a finished check: 1 when any finding is an error (usage errors exit 2 elsewhere). */
export function exitCodeOf(report: CheckReport): 0 | 1 {
  return countBySeverity(report.findings).errors > 0 ? 1 : 0;
}

/** Findings in a stable order (file, position, rule), so reports diff cleanly between runs. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}
