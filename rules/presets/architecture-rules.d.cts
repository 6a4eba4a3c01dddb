import type { ICruiseOptions, IForbiddenRuleType, SeverityType } from 'dependency-cruiser';

/** The layers of the pattern, each recognised by a regular expression on the module's path. */
export interface ArchitectureLayers {
  command: string;
  orchestrator: string;
  finalizer: string;
  reaper: string;
  gateway: string;
  controller: string;
  /** The Reaper's reconcile port, the one way a Reaper may reach a gateway. */
  reconcile: string;
  /** Test files: may import SDKs and gateways. */
  test: string;
  /** Where the application is wired: may construct gateways and hand them to orchestrators. */
  compositionRoot: string;
}

export interface ArchitectureRuleOptions {
  /** Override the pattern of any layer, e.g. `{ gateway: '/gateways/' }`. Unknown layers are an error. */
  layers?: Partial<ArchitectureLayers>;
  /** Provider SDK packages (replaces the default list); `*` matches one path segment, as in `@aws-sdk/*`. */
  sdkPackages?: readonly string[];
  /** Database / transaction libraries orchestrators must not import (replaces the default list). */
  transactionLibraries?: readonly string[];
  /** Other I/O modules commands must not import (replaces the default list). */
  ioModules?: readonly string[];
  /** The runtime package whose internals nobody deep-imports. Default `@safecall/runtime`. */
  runtimePackage?: string;
  /** Severity of every rule. Default `error`. */
  severity?: SeverityType;
}

/** A dependency-cruiser configuration fragment: spread it, or `extends` the preset. */
export interface ArchitectureConfig {
  forbidden: IForbiddenRuleType[];
  options: ICruiseOptions;
}

export declare function createArchitectureRules(options?: ArchitectureRuleOptions): ArchitectureConfig;
/** The default layers with the given overrides; throws on an unknown layer or a pattern that is no regular expression. */
export declare function resolveLayers(layers?: Partial<ArchitectureLayers>): ArchitectureLayers;
export declare const defaultLayers: Readonly<ArchitectureLayers>;
export declare const defaultSdkPackages: readonly string[];
export declare const defaultTransactionLibraries: readonly string[];
export declare const defaultIoModules: readonly string[];
export declare const defaultRuntimePackage: string;
