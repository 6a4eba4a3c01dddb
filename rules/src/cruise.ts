import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  cruise,
  type ICruiseOptions,
  type ICruiseResult,
  type IViolation,
  type SeverityType,
} from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { ts } from 'ts-morph';
import { createArchitectureRules, type ArchitectureRuleOptions } from '../presets/architecture-rules.cjs';
import { ArchitectureCheckError } from './errors.js';
import { compareFindings, findingPath, type Finding, type FindingSeverity } from './finding.js';

/** The file names dependency-cruiser's own CLI looks for, in its order. */
export const dependencyCruiserConfigNames = [
  '.dependency-cruiser.js',
  '.dependency-cruiser.cjs',
  '.dependency-cruiser.mjs',
  '.dependency-cruiser.json',
] as const;

export interface CruiseArchitectureOptions {
  /** The project's root: paths, the config and the tsconfig are relative to it; findings too. */
  cwd: string;
  /** Files and folders to cruise, relative to `cwd`. Default `['.']`. */
  paths?: readonly string[];
  /** A dependency-cruiser config file. Default: the project's own (.dependency-cruiser.js/.cjs/...), else the safecall rules. */
  config?: string;
  /** Options for the safecall rules, used when the project has no dependency-cruiser config. */
  rules?: ArchitectureRuleOptions;
  /** The tsconfig used to resolve imports. Default: `tsconfig.json` in `cwd` when it exists. */
  tsconfig?: string;
  /** A baseline: violations listed here are reported at severity `ignore` and yield no finding. */
  knownViolations?: IViolation[];
}

export interface ArchitectureCruise {
  findings: Finding[];
  /** dependency-cruiser's full result: for its reporters (graphs) and for writing a baseline (`summary.violations`). */
  result: ICruiseResult;
}

/** Runs dependency-cruiser over a project with its config (or the safecall rules) and returns the findings. */
export async function cruiseArchitecture(options: CruiseArchitectureOptions): Promise<ArchitectureCruise> {
  const cwd = resolve(options.cwd);
  const paths = options.paths ?? ['.'];
  for (const path of paths) {
    if (!existsSync(join(cwd, path))) {
      throw new ArchitectureCheckError('PATH_NOT_FOUND', `cannot cruise "${path}": no such file or folder in ${cwd}`);
    }
  }
  const cruiseOptions = await loadCruiseOptions(cwd, options);
  const tsconfigFile = findTsconfig(cwd, options.tsconfig);
  if (tsconfigFile) cruiseOptions.tsConfig = { fileName: tsconfigFile };
  if (options.knownViolations) cruiseOptions.knownViolations = options.knownViolations;
  cruiseOptions.baseDir = cwd;

  const reported = await cruise(
    [...paths],
    cruiseOptions,
    undefined,
    tsconfigFile ? { tsConfig: extractTSConfig(tsconfigFile) } : undefined,
  );
  if (typeof reported.output === 'string') {
    throw new ArchitectureCheckError('INVALID_CONFIG', `dependency-cruiser returned text instead of a result: ${reported.output}`);
  }
  return { result: reported.output, findings: findingsFromCruiseResult(reported.output, cwd) };
}

async function loadCruiseOptions(cwd: string, options: CruiseArchitectureOptions): Promise<ICruiseOptions> {
  const configFile = options.config
    ? resolve(cwd, options.config)
    : dependencyCruiserConfigNames.map((name) => join(cwd, name)).find((file) => existsSync(file));
  if (options.config && !existsSync(configFile!)) {
    throw new ArchitectureCheckError('CONFIG_NOT_FOUND', `dependency-cruiser config "${options.config}" does not exist in ${cwd}`);
  }
  if (!configFile) {
    const { forbidden, options: ruleOptions } = createArchitectureRules(options.rules);
    return { ...structuredClone(ruleOptions), validate: true, ruleSet: { forbidden } };
  }
  try {
    return await extractDepcruiseOptions(configFile);
  } catch (error) {
    throw new ArchitectureCheckError('INVALID_CONFIG', `cannot read dependency-cruiser config ${configFile}: ${String(error)}`, {
      cause: error,
    });
  }
}

function findTsconfig(cwd: string, tsconfig: string | undefined): string | undefined {
  if (tsconfig === undefined) {
    const fallback = join(cwd, 'tsconfig.json');
    return existsSync(fallback) ? fallback : undefined;
  }
  const file = resolve(cwd, tsconfig);
  if (!existsSync(file)) {
    throw new ArchitectureCheckError('TSCONFIG_NOT_FOUND', `tsconfig "${tsconfig}" does not exist in ${cwd}`);
  }
  return file;
}

/** Turns dependency-cruiser's violations into findings located at the import that causes each one. */
export function findingsFromCruiseResult(result: ICruiseResult, cwd: string): Finding[] {
  const locate = importLocator(result, cwd);
  const comments = new Map((result.summary.ruleSetUsed?.forbidden ?? []).map((rule) => [rule.name, rule.comment]));
  return result.summary.violations
    .flatMap((violation): Finding[] => {
      const severity = findingSeverity(violation.rule.severity);
      if (!severity) return [];
      const specifier = violation.from === violation.to ? undefined : locate.specifier(violation.from, violation.to);
      return [
        {
          tool: 'dependency-cruiser',
          ruleId: violation.rule.name,
          file: findingPath(cwd, violation.from),
          ...locate.position(violation.from, specifier),
          message: violationMessage(violation, specifier),
          hint: violation.comment ?? comments.get(violation.rule.name) ?? '',
          severity,
        },
      ];
    })
    .sort(compareFindings);
}

function findingSeverity(severity: SeverityType): FindingSeverity | undefined {
  return severity === 'ignore' ? undefined : severity;
}

function violationMessage(violation: IViolation, specifier: string | undefined): string {
  if (violation.cycle && violation.cycle.length > 0) {
    return `is part of a dependency cycle: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(' → ')}`;
  }
  if (violation.via && violation.via.length > 0) {
    return `reaches ${violation.to} via ${[violation.from, ...violation.via.map((step) => step.name)].join(' → ')}`;
  }
  if (violation.from === violation.to) return `breaks ${violation.rule.name}`;
  const target = specifier && specifier !== violation.to ? `'${specifier}' (${violation.to})` : `'${violation.to}'`;
  return `imports ${target}`;
}

/** Finds where in a module the import of a given dependency is written (dependency-cruiser only knows which). */
function importLocator(result: ICruiseResult, cwd: string) {
  const modules = new Map(result.modules.map((module) => [module.source, module]));
  const importsByFile = new Map<string, { text: string; imports: ts.FileReference[] }>();

  function importsOf(source: string) {
    let parsed = importsByFile.get(source);
    if (!parsed) {
      const file = resolve(cwd, source);
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      parsed = { text, imports: ts.preProcessFile(text, true, true).importedFiles };
      importsByFile.set(source, parsed);
    }
    return parsed;
  }

  return {
    specifier(from: string, to: string): string | undefined {
      return modules.get(from)?.dependencies.find((dependency) => dependency.resolved === to)?.module;
    },
    position(from: string, specifier: string | undefined): { line: number; column: number } {
      if (!specifier) return { line: 1, column: 1 };
      const { text, imports } = importsOf(from);
      // dependency-cruiser names core modules without their `node:` prefix.
      const reference = imports.find((candidate) => candidate.fileName === specifier || candidate.fileName === `node:${specifier}`);
      return reference ? lineAndColumn(text, reference.pos) : { line: 1, column: 1 };
    },
  };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
