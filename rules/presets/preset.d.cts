import type { ArchitectureConfig } from './architecture-rules.cjs';

declare const preset: ArchitectureConfig;
export = preset;
