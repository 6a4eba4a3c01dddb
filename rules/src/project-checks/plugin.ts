import fileplacement from './file-placement.js';
import registeredWithRecovery from './registered-with-recovery.js';

/**
 * The project checks as an ESLint plugin, so they run on the same parse and type checker as the
 * safecall plugin's rules (one definition of each convention: the plugin's model).
 */
export const projectChecksPlugin = {
  meta: { name: '@safecall/architecture/project-checks' },
  rules: {
    'file-placement': fileplacement,
    'registered-with-recovery': registeredWithRecovery,
  },
};
