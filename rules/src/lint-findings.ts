import type { ESLint, Linter } from 'eslint';
import { findingPath, type Finding, type FindingTool } from './finding.js';

type RulesMeta = ReturnType<ESLint['getRulesMetaForResults']>;

/** ESLint's results as findings; the hint is the rule's documentation page. */
export function findingsFromLintResults(
  results: readonly ESLint.LintResult[],
  options: { cwd: string; tool: FindingTool; rulesMeta: RulesMeta },
): Finding[] {
  return results.flatMap((result) =>
    result.messages.map((message): Finding => ({
      tool: options.tool,
      ruleId: message.ruleId ?? 'parse-error',
      file: findingPath(options.cwd, result.filePath),
      line: message.line,
      column: message.column,
      message: message.message,
      hint: hintOf(message, options.rulesMeta),
      severity: message.severity === 2 ? 'error' : 'warn',
    })),
  );
}

function hintOf(message: Linter.LintMessage, rulesMeta: RulesMeta): string {
  if (!message.ruleId) return 'The file does not parse; fix the syntax error first, then the checks can run.';
  const docs = rulesMeta[message.ruleId]?.docs;
  return docs?.url ? `${docs.description ?? message.ruleId}. See ${docs.url}` : (docs?.description ?? '');
}
