import fs from 'node:fs';
import path from 'node:path';
import { format, type ICruiseResult } from 'dependency-cruiser';
import type { ESLint } from 'eslint';
import { knownViolationsFile } from './architecture.js';
import { findingPath } from '@safecall/architecture';
import { eslintSuppressionsFile } from './lint.js';

/** ESLint's bulk-suppressions shape: relative POSIX path → rule id → number of error-level violations. */
export type EslintSuppressions = Record<string, Record<string, { count: number }>>;

/**
 * Freezes today's violations: ESLint's eslint-suppressions.json (the file `eslint --suppress-all`
 * writes, in its format) and dependency-cruiser's known violations (its `baseline` reporter). Both
 * are rewritten from scratch, so fixed violations drop out of the baseline.
 */
export async function writeBaseline(cwd: string, lintResults: readonly ESLint.LintResult[], cruiseResult: ICruiseResult): Promise<string[]> {
  const eslintFile = path.join(cwd, eslintSuppressionsFile);
  fs.writeFileSync(eslintFile, stableJson(eslintSuppressionsOf(cwd, lintResults)));
  const { output } = await format(cruiseResult, { outputType: 'baseline' });
  const cruiseFile = path.join(cwd, knownViolationsFile);
  fs.writeFileSync(cruiseFile, String(output));
  return [eslintSuppressionsFile, knownViolationsFile];
}

/** Counts error-level messages per file and rule, as ESLint's SuppressionsService does (warnings are never suppressed). */
export function eslintSuppressionsOf(cwd: string, results: readonly ESLint.LintResult[]): EslintSuppressions {
  const suppressions: EslintSuppressions = {};
  for (const result of results) {
    for (const message of result.messages) {
      if (message.severity !== 2 || !message.ruleId) continue;
      const byRule = (suppressions[findingPath(cwd, result.filePath)] ??= {});
      (byRule[message.ruleId] ??= { count: 0 }).count += 1;
    }
  }
  return suppressions;
}

/** Sorted keys and two-space indentation, like ESLint's own writer, so the file diffs cleanly. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (isPlainObject(inner) ? sortKeys(inner) : inner), 2);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, value[key]]));
}
