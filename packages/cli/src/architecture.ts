import fs from 'node:fs';
import path from 'node:path';
import type { ICruiseResult, IForbiddenRuleType, IViolation } from 'dependency-cruiser';
import { cruiseArchitecture, defaultLayers, type Finding } from '@safecall/architecture';
import { UsageError } from './errors.js';
import type { RuleInfo } from './report.js';
import type { TypeInformation } from './tsconfig.js';

/** dependency-cruiser's own default name for the baseline its `--ignore-known` reads. */
export const knownViolationsFile = '.dependency-cruiser-known-violations.json';

const rulesDocs = 'https://github.com/safecall/safecall/blob/main/rules/README.md';

export interface CruiseRequest {
  readonly cwd: string;
  readonly paths: readonly string[];
  readonly types: TypeInformation;
  /** Read the known-violations baseline; off when the baseline itself is being written or a picture drawn. */
  readonly applyBaseline: boolean;
}

export interface ArchitectureOutcome {
  readonly result: ICruiseResult;
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleInfo[];
  readonly suppressed: number;
}

/**
 * The dependency-cruiser half of the check, through @safecall/architecture: the project's own
 * .dependency-cruiser config when it has one, else the recommended rules.
 */
export async function checkArchitecture(request: CruiseRequest): Promise<ArchitectureOutcome> {
  const { result, findings } = await cruiseArchitecture({
    cwd: request.cwd,
    ...(request.paths.length > 0 ? { paths: request.paths } : {}),
    ...(request.types.kind === 'none' ? {} : { tsconfig: request.types.tsconfig }),
    ...(request.applyBaseline ? { knownViolations: readKnownViolations(request.cwd) } : {}),
  });
  const comments = new Map((result.summary.ruleSetUsed?.forbidden ?? []).map((rule) => [rule.name ?? '', rule.comment]));
  return {
    result,
    findings,
    rules: [...new Set(findings.map((finding) => finding.ruleId))].map((name) => describeRule(name, comments.get(name))),
    // Known violations come back at severity 'ignore' (dependency-cruiser's --ignore-known) and yield no finding.
    suppressed: result.summary.violations.filter((violation) => violation.rule.severity === 'ignore').length,
  };
}

function describeRule(name: string, comment: string | undefined): RuleInfo {
  // Rule comments read "what is wrong. why. how to fix."; the first sentence describes the rule.
  const description = comment?.split(/(?<=\.)\s/)[0];
  return {
    id: name,
    tool: 'dependency-cruiser',
    ...(description ? { description } : {}),
    helpUri: `${rulesDocs}#${name}`,
  };
}

function readKnownViolations(cwd: string): IViolation[] {
  const file = path.join(cwd, knownViolationsFile);
  if (!fs.existsSync(file)) return [];
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!Array.isArray(parsed)) throw new Error('expected an array of violations');
    return parsed as IViolation[];
  } catch (error) {
    throw new UsageError(`${knownViolationsFile} is not a valid baseline: ${(error as Error).message}`, { cause: error });
  }
}

/** The layers of the pattern; `test` and `reconcile` are exemptions in the rules, not layers of their own. */
export const drawnLayers = ['controller', 'command', 'orchestrator', 'gateway', 'finalizer', 'reaper'] as const;

export type LayerPatterns = Readonly<Record<(typeof drawnLayers)[number] | 'test', string>>;

/**
 * The layer patterns the cruise's rules were built with — a project's own
 * `createArchitectureRules({ layers })` included — read back from the rules that name each layer
 * alone; the defaults where a project's config has no such rule.
 */
export function layersUsed(result: ICruiseResult): LayerPatterns {
  const rules = new Map((result.summary.ruleSetUsed?.forbidden ?? []).map((rule) => [rule.name, rule]));
  const pattern = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const from = (rule: string) => pattern(rules.get(rule)?.from.path);
  return {
    controller: from('controller-gateway-via-orchestrator') ?? defaultLayers.controller,
    gateway: pattern(targetPath(rules.get('controller-gateway-via-orchestrator'))) ?? defaultLayers.gateway,
    command: from('no-io-in-command') ?? defaultLayers.command,
    orchestrator: from('no-transaction-library-in-orchestrator') ?? defaultLayers.orchestrator,
    finalizer: from('no-gateway-in-finalizer') ?? defaultLayers.finalizer,
    reaper: from('no-gateway-in-reaper') ?? defaultLayers.reaper,
    test: defaultLayers.test,
  };
}

function targetPath(rule: IForbiddenRuleType | undefined): unknown {
  return rule && 'to' in rule ? rule.to.path : undefined;
}
