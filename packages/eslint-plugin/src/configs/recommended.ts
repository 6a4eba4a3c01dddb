import type { PresetDefinition } from './preset.js';

/** The rules that need no type information: safe to run anywhere, in the editor on every keystroke. */
export const recommended: PresetDefinition = {
  name: 'recommended',
  levels: ['recommended'],
  typeChecked: false,
};
