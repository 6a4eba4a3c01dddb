export {
  createArchitectureRules,
  defaultIoModules,
  defaultLayers,
  defaultRuntimePackage,
  defaultSdkPackages,
  defaultTransactionLibraries,
  type ArchitectureConfig,
  type ArchitectureLayers,
  type ArchitectureRuleOptions,
} from '../presets/architecture-rules.cjs';
export { cruiseArchitecture, dependencyCruiserConfigNames, findingsFromCruiseResult } from './cruise.js';
export type { ArchitectureCruise, CruiseArchitectureOptions } from './cruise.js';
export { ArchitectureCheckError, type ArchitectureErrorCode } from './errors.js';
export { compareFindings, findingPath, type Finding, type FindingSeverity, type FindingTool } from './finding.js';
