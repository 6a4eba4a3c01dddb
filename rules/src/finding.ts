import { isAbsolute, relative, sep } from 'node:path';

/** Which of safecall's three checkers produced a finding. */
export type FindingTool = 'eslint' | 'dependency-cruiser' | 'project-checks';

export type FindingSeverity = 'error' | 'warn' | 'info';

/**
 * One violation, in the shape every safecall checker reports (ESLint, the dependency-cruiser rules,
 * the project checks), so `safecall check` prints one report.
 */
export interface Finding {
  tool: FindingTool;
  /** ESLint's rule id (`safecall/no-throw-in-execute`) or the dependency-cruiser rule's name (`no-circular`). */
  ruleId: string;
  /** Path relative to the checked project's root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** What is wrong, at this place. */
  message: string;
  /** Why the rule exists and how to fix a violation (the rule's comment, or its docs URL). */
  hint: string;
  severity: FindingSeverity;
}

/** `file` of a Finding: relative to `cwd`, forward slashes, whatever form the checker gave. */
export function findingPath(cwd: string, file: string): string {
  const relativePath = isAbsolute(file) ? relative(cwd, file) : file;
  return relativePath.split(sep).join('/');
}

/** Orders findings by file, then position, then rule: a stable report whatever order the checkers ran in. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  );
}
