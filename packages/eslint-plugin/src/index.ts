import { createRequire } from 'node:module';
import type { TSESLint } from '@typescript-eslint/utils';
import { buildPreset, presets } from './configs/index.js';
import type { PresetName } from './configs/index.js';
import { rules } from './rules/index.js';

// package.json sits one level above both src/ and dist/.
const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

const configs = {} as Record<PresetName, TSESLint.FlatConfig.Config>;

const plugin = { meta: { name, version }, rules, configs };

// The presets refer to `plugin` itself, so they are filled in once it exists.
for (const preset of presets) configs[preset.name] = buildPreset(preset, plugin);

export default plugin;
export { rules, configs };
export type { PresetName };

// The safecall model, for @safecall/architecture's project checks: one definition of each convention.
export {
  getSafecallIndex,
  getSafecallModel,
  getTypedSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModelOptions,
  type SafecallRole,
  type TypedSafecallModel,
} from './analysis/safecall-model.js';
