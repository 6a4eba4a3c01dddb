import * as parser from '@typescript-eslint/parser';
import type { TSESLint } from '@typescript-eslint/utils';
import type { SafecallRuleDocs } from '../util/create-rule.js';
import type { SafecallRule } from '../rules/index.js';

export type PresetName = NonNullable<SafecallRuleDocs['recommended']>;

/** A preset as data: which `meta.docs.recommended` levels it enables, and whether it lints with types. */
export interface PresetDefinition {
  readonly name: PresetName;
  readonly levels: readonly PresetName[];
  readonly typeChecked: boolean;
}

/** The files every preset applies to: without them a fresh flat config would not lint TypeScript at all. */
export const presetFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

/**
 * The presets without types also lint JavaScript (many Express backends that call Stripe inside a
 * transaction are plain JS). The typed presets stay on TypeScript: the project service refuses a file
 * no tsconfig includes.
 */
export const untypedPresetFiles = [...presetFiles, '**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'];

/** The namespace rules are configured under: `safecall/<rule>`. */
export const pluginNamespace = 'safecall';

/** A rule's setting in a preset: `'error'`, or `['error', options]` when the rule's meta sets options for that preset. */
export type PresetRuleSetting = 'error' | ['error', Readonly<Record<string, unknown>>];

/** The rules a preset enables, each as `safecall/<rule>: 'error'` (with the preset's options, if any), read from the rules' own meta. */
export function presetRules(
  definition: PresetDefinition,
  rules: Readonly<Record<string, SafecallRule>>,
): Record<string, PresetRuleSetting> {
  const enabled: Record<string, PresetRuleSetting> = {};
  for (const [name, rule] of Object.entries(rules)) {
    const level = rule.meta.docs?.recommended;
    if (level === undefined || !definition.levels.includes(level)) continue;
    const options = rule.meta.docs?.presetOptions?.[definition.name];
    enabled[`${pluginNamespace}/${name}`] = options ? ['error', options] : 'error';
  }
  return enabled;
}

/**
 * Builds a preset's flat config. `plugin` must be the very object the package exports, or ESLint refuses
 * a config that also registers the plugin by hand ("Cannot redefine plugin").
 */
export function buildPreset(
  definition: PresetDefinition,
  plugin: TSESLint.FlatConfig.Plugin & { rules: Readonly<Record<string, SafecallRule>> },
): TSESLint.FlatConfig.Config {
  return {
    name: `${pluginNamespace}/${definition.name}`,
    files: definition.typeChecked ? presetFiles : untypedPresetFiles,
    plugins: { [pluginNamespace]: plugin },
    languageOptions: {
      parser,
      sourceType: 'module',
      ...(definition.typeChecked ? { parserOptions: { projectService: true } } : {}),
    },
    rules: presetRules(definition, plugin.rules),
  };
}
