import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import safecall from '@safecall/eslint-plugin';
import { findingPath, projectCheckRules, projectChecksPlugin, type ArchitectureLayers } from '@safecall/architecture';
import type { Finding, RuleInfo } from './report.js';
import { UsageError } from './errors.js';
import type { TypeInformation } from './tsconfig.js';

export interface LintRequest {
  readonly cwd: string;
  readonly paths: readonly string[];
  readonly types: TypeInformation;
  /** Apply eslint-suppressions.json; off when the baseline itself is being written. */
  readonly applyBaseline: boolean;
  /** Layer patterns for the project checks: the ones the architecture rules used. */
  readonly layers?: Partial<ArchitectureLayers>;
}

type RulesMeta = ReturnType<ESLint['getRulesMetaForResults']>;

export interface LintOutcome {
  readonly results: readonly ESLint.LintResult[];
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleInfo[];
  readonly suppressed: number;
}

/** Where ESLint keeps bulk suppressions by default; `eslint --suppress-all` writes the same file. */
export const eslintSuppressionsFile = 'eslint-suppressions.json';

const lintedFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const ignoredFiles = ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/*.d.ts', '**/*.d.mts', '**/*.d.cts'];

/**
 * Runs ESLint with the safecall plugin and the project checks of @safecall/architecture on a config built here, not the user's eslint.config: the
 * check means the same thing in every repository. No cache: whole-program rules (call following,
 * orchestrator-requires-recovery) go stale under one.
 */
export async function lintProject(request: LintRequest): Promise<LintOutcome> {
  const eslint = new ESLint({
    cwd: request.cwd,
    overrideConfigFile: true,
    overrideConfig: buildLintConfig(request.cwd, request.types, request.layers),
    cache: false,
    errorOnUnmatchedPattern: false,
    applySuppressions: request.applyBaseline,
    suppressionsLocation: eslintSuppressionsFile,
  });
  const results = (await lintFiles(eslint, request.paths)).map(withoutForeignRuleDirectives);
  const rulesMeta = eslint.getRulesMetaForResults(results);
  return {
    results,
    findings: results.flatMap((result) => result.messages.map((message) => toFinding(request.cwd, result.filePath, message, rulesMeta))),
    rules: [
      parseErrorRule,
      ...Object.entries(rulesMeta).map(([id, meta]) => ({
        id,
        tool: 'eslint' as const,
        ...(meta.docs?.description ? { description: meta.docs.description } : {}),
        ...(meta.docs?.url ? { helpUri: meta.docs.url } : {}),
      })),
    ],
    suppressed: results.reduce((sum, result) => sum + result.suppressedMessages.filter(isBaselineSuppression).length, 0),
  };
}

async function lintFiles(eslint: ESLint, paths: readonly string[]): Promise<ESLint.LintResult[]> {
  try {
    return await eslint.lintFiles(paths.length > 0 ? [...paths] : ['.']);
  } catch (error) {
    // ESLint reads the baseline itself; a hand-edited file that no longer parses is a configuration error.
    if (error instanceof Error && error.message.startsWith('Failed to parse suppressions file')) {
      throw new UsageError(`${eslintSuppressionsFile} is not valid JSON: fix it, or rewrite it with --update-baseline`, { cause: error });
    }
    throw error;
  }
}

export function buildLintConfig(cwd: string, types: TypeInformation, layers?: Partial<ArchitectureLayers>): Linter.Config[] {
  const preset = types.kind === 'none' ? safecall.configs.recommended : safecall.configs['recommended-type-checked'];
  return [
    { ignores: ignoredFiles },
    { ...(preset as Linter.Config), files: lintedFiles },
    // The project checks run on this same parse and program: one type-aware pass, one baseline file.
    {
      files: lintedFiles,
      plugins: { [projectChecksNamespace]: projectChecksPlugin as never },
      rules: projectCheckRules({ typeChecked: types.kind !== 'none', ...(layers ? { layers } : {}) }),
    },
    // After the preset, so that the tsconfig chosen here wins over the preset's project service.
    {
      files: lintedFiles,
      languageOptions: {
        parser: tseslint.parser as Linter.Parser,
        parserOptions: parserOptionsFor(cwd, types),
      },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
    },
  ];
}

function parserOptionsFor(cwd: string, types: TypeInformation): Linter.ParserOptions {
  switch (types.kind) {
    case 'none':
      return { tsconfigRootDir: cwd };
    case 'project':
      return { projectService: false, project: [types.tsconfig], tsconfigRootDir: cwd };
    case 'project-service':
      return { projectService: true, tsconfigRootDir: cwd };
  }
}

/** Parse errors have no rule id; they become `parse-error` findings so they are never silently lost. */
export const parseErrorRuleId = 'parse-error';

const parseErrorRule: RuleInfo = {
  id: parseErrorRuleId,
  tool: 'eslint',
  description: 'The file could not be parsed: a syntax error, or a file the TypeScript project does not include.',
};

/** The namespace `projectCheckRules` configures the architecture's own rules under. */
const projectChecksNamespace = 'safecall-architecture';

function toFinding(cwd: string, filePath: string, message: Linter.LintMessage, rulesMeta: RulesMeta): Finding {
  return {
    tool: message.ruleId?.startsWith(`${projectChecksNamespace}/`) ? 'project-checks' : 'eslint',
    ruleId: message.ruleId ?? parseErrorRuleId,
    file: findingPath(cwd, filePath),
    line: message.line ?? 1,
    column: message.column ?? 1,
    message: message.message,
    hint: hintFor(message, rulesMeta),
    severity: message.severity === 2 ? 'error' : 'warn',
  };
}

/** The rule's own suggestion when it offers one, else where its documentation is. */
function hintFor(message: Linter.LintMessage, rulesMeta: RulesMeta): string {
  const suggestion = message.suggestions?.[0]?.desc;
  if (suggestion) return suggestion;
  if (message.fatal) {
    return /project service|not included in|TSConfigs include/i.test(message.message)
      ? "include the file in a tsconfig's \"include\", or run with --no-type-check"
      : '';
  }
  const url = message.ruleId ? rulesMeta[message.ruleId]?.docs?.url : undefined;
  return url ? `see ${url}` : '';
}

/**
 * The project's own `eslint-disable` comments name rules of its own config (`@typescript-eslint/no-explicit-any`)
 * that this config does not load; ESLint reports each as "Definition for rule … was not found". They are not
 * findings of the check.
 */
function withoutForeignRuleDirectives(result: ESLint.LintResult): ESLint.LintResult {
  const foreign = (message: Linter.LintMessage) =>
    message.ruleId !== null && message.message === `Definition for rule '${message.ruleId}' was not found.`;
  const messages = result.messages.filter((message) => !foreign(message));
  if (messages.length === result.messages.length) return result;
  const dropped = result.messages.filter(foreign);
  return {
    ...result,
    messages,
    errorCount: result.errorCount - dropped.filter((message) => message.severity === 2).length,
    warningCount: result.warningCount - dropped.filter((message) => message.severity === 1).length,
  };
}

function isBaselineSuppression(message: Linter.SuppressedLintMessage): boolean {
  return message.suppressions.some((suppression) => suppression.kind === 'file');
}
