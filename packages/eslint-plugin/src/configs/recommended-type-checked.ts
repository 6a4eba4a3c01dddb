import type { PresetDefinition } from './preset.js';

/** `recommended` plus the rules that follow calls through the program with the type checker. */
export const recommendedTypeChecked: PresetDefinition = {
  name: 'recommended-type-checked',
  levels: ['recommended', 'recommended-type-checked'],
  typeChecked: true,
};
