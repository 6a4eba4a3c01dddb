import { existsSync } from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { Project } from 'ts-morph';
import tseslint from 'typescript-eslint';
import safecall, { type SafecallModelOptions } from '@safecall/eslint-plugin';
import type { ArchitectureLayers } from '../../presets/architecture-rules.cjs';
import { ArchitectureCheckError } from '../errors.js';
import { compareFindings, type Finding } from '../finding.js';
import { findingsFromLintResults } from '../lint-findings.js';
import { projectChecksPlugin } from './plugin.js';

/** The safecall plugin's rules that need the whole program, which the project checks always run afresh. */
const programWideRules = ['orchestrator-requires-recovery', 'immutable-command'] as const;

/** Every project check by the id its findings carry. */
export const projectCheckIds = [
  ...programWideRules.map((rule) => `safecall/${rule}` as const),
  ...Object.keys(projectChecksPlugin.rules).map((rule) => `safecall-architecture/${rule}` as const),
];

export interface ProjectCheckOptions {
  /** The project's root; findings are relative to it. */
  cwd: string;
  /** The tsconfig that lists the project's files. Default `tsconfig.json` in `cwd`. */
  tsconfig?: string;
  /** Report only in these files or folders (relative to `cwd`); the whole program is still analysed. */
  files?: readonly string[];
  /** Layer patterns, the same option as the dependency-cruiser rules take. */
  layers?: Partial<ArchitectureLayers>;
  /** Base class and runtime module names, the same options as the ESLint plugin's rules take. */
  model?: SafecallModelOptions;
}

/**
 * What import graphs cannot express: every Orchestrator has a Finalizer and a Reaper and is registered
 * with them, classes are named and placed by their layer, commands are immutable. Runs the ESLint
 * plugin's whole-program rules and the architecture's own rules with type information over the files
 * the tsconfig lists, without any cache.
 */
export async function runProjectChecks(options: ProjectCheckOptions): Promise<Finding[]> {
  const cwd = path.resolve(options.cwd);
  const tsconfig = path.resolve(cwd, options.tsconfig ?? 'tsconfig.json');
  if (!existsSync(tsconfig)) {
    throw new ArchitectureCheckError('TSCONFIG_NOT_FOUND', `the project checks need a tsconfig, and "${options.tsconfig ?? 'tsconfig.json'}" does not exist in ${cwd}`);
  }
  const files = selectFiles(cwd, projectFiles(tsconfig), options.files);
  if (files.length === 0) return [];

  const eslint = new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: projectChecksConfig(cwd, tsconfig, options),
    cache: false,
    errorOnUnmatchedPattern: false,
  });
  const results = await eslint.lintFiles(files);
  return findingsFromLintResults(results, { cwd, tool: 'project-checks', rulesMeta: eslint.getRulesMetaForResults(results) }).sort(compareFindings);
}

/** The files a tsconfig compiles (read with ts-morph), without declaration files and dependencies. */
function projectFiles(tsconfig: string): string[] {
  let project: Project;
  try {
    project = new Project({ tsConfigFilePath: tsconfig, skipFileDependencyResolution: true });
  } catch (error) {
    throw new ArchitectureCheckError('INVALID_CONFIG', `cannot read ${tsconfig}: ${(error as Error).message}`, { cause: error });
  }
  return project
    .getSourceFiles()
    .map((sourceFile) => path.normalize(sourceFile.getFilePath()))
    .filter((file) => !/\.d\.[cm]?ts$/.test(file) && !file.split(path.sep).includes('node_modules'));
}

function selectFiles(cwd: string, files: readonly string[], selection: readonly string[] | undefined): string[] {
  if (!selection) return [...files];
  const roots = selection.map((entry) => {
    const root = path.resolve(cwd, entry);
    if (!existsSync(root)) throw new ArchitectureCheckError('PATH_NOT_FOUND', `cannot check "${entry}": no such file or folder in ${cwd}`);
    return root;
  });
  return files.filter((file) => roots.some((root) => file === root || file.startsWith(root + path.sep)));
}

/**
 * The architecture's own ESLint rules, to run beside the safecall plugin (register `projectChecksPlugin`
 * as `safecall-architecture`). Without type information only the checks that need none are on.
 */
export function projectCheckRules(options: {
  typeChecked: boolean;
  layers?: Partial<ArchitectureLayers>;
  model?: SafecallModelOptions;
}): Linter.RulesRecord {
  const model = options.model ?? {};
  return {
    'safecall-architecture/file-placement': ['error', { ...model, ...(options.layers ? { layers: options.layers } : {}) }],
    ...(options.typeChecked ? { 'safecall-architecture/registered-with-recovery': ['error', model] } : {}),
  };
}

function projectChecksConfig(cwd: string, tsconfig: string, options: ProjectCheckOptions): Linter.Config[] {
  const model = options.model ?? {};
  const rules = projectCheckRules({ typeChecked: true, ...options });
  for (const rule of programWideRules) {
    if (!(rule in safecall.rules)) {
      throw new Error(`@safecall/eslint-plugin has no rule "${rule}"; the project checks need it (check the installed version)`);
    }
    rules[`safecall/${rule}`] = ['error', model];
  }
  return [
    {
      files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
      languageOptions: {
        parser: tseslint.parser,
        parserOptions: { project: tsconfig, tsconfigRootDir: cwd },
      },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
      plugins: { safecall: safecall as never, 'safecall-architecture': projectChecksPlugin as never },
      rules,
    },
  ];
}
