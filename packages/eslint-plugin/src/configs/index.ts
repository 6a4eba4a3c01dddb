import { recommendedTypeChecked } from './recommended-type-checked.js';
import { recommended } from './recommended.js';
import { strict } from './strict.js';
import type { PresetDefinition } from './preset.js';

export { buildPreset, pluginNamespace, presetFiles, presetRules, untypedPresetFiles } from './preset.js';
export type { PresetDefinition, PresetName } from './preset.js';

/** The presets, each enabling the rules of those before it. */
export const presets: readonly PresetDefinition[] = [recommended, recommendedTypeChecked, strict];
