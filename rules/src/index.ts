export {
  createArchitectureRules,
  defaultIoModules,
  defaultLayers,
  defaultRuntimePackage,
  defaultSdkPackages,
  defaultTransactionLibraries,
  resolveLayers,
  type ArchitectureConfig,
  type ArchitectureLayers,
  type ArchitectureRuleOptions,
} from '../presets/architecture-rules.cjs';
export { cruiseArchitecture, dependencyCruiserConfigNames, findingsFromCruiseResult } from './cruise.js';
export type { ArchitectureCruise, CruiseArchitectureOptions } from './cruise.js';
export { ArchitectureCheckError, type ArchitectureErrorCode } from './errors.js';
export { compareFindings, findingPath, type Finding, type FindingSeverity, type FindingTool } from './finding.js';
export { findingsFromLintResults } from './lint-findings.js';
export { projectChecksPlugin } from './project-checks/plugin.js';
export { projectCheckIds, projectCheckRules, runProjectChecks, type ProjectCheckOptions } from './project-checks/run.js';
