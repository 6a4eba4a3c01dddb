import type { PresetDefinition } from './preset.js';

/** Every rule, with type information: for codebases built on the pattern from the start. */
export const strict: PresetDefinition = {
  name: 'strict',
  levels: ['recommended', 'recommended-type-checked', 'strict'],
  typeChecked: true,
};
