import type { SafecallRule } from '../src/rules/index.js';
import { presets } from '../src/configs/index.js';
import type { PresetName } from '../src/configs/index.js';

// The README's rules list is generated from each rule's meta (like eslint-doc-generator's), between
// these markers, so it cannot drift from the code: tests/readme.test.ts fails when it does.
export const beginMarker = '<!-- begin auto-generated rules list -->';
export const endMarker = '<!-- end auto-generated rules list -->';

const presetEmoji: Record<PresetName, string> = {
  recommended: '✅',
  'recommended-type-checked': '☑️',
  strict: '🔒',
};

function presetsEnabling(rule: SafecallRule): string {
  const level = rule.meta.docs?.recommended;
  if (level === undefined) return '';
  return presets
    .filter((preset) => preset.levels.includes(level))
    .map((preset) => presetEmoji[preset.name])
    .join(' ');
}

function ruleRow(name: string, rule: SafecallRule): string {
  const cells = [
    `[${name}](docs/rules/${name}.md)`,
    rule.meta.docs?.description ?? '',
    presetsEnabling(rule),
    rule.meta.docs?.requiresTypeChecking ? '💭' : '',
    rule.meta.fixable ? '🔧' : '',
    rule.meta.hasSuggestions ? '💡' : '',
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The rules list: a legend and one table row per rule, sorted by name. */
export function renderRulesList(rules: Readonly<Record<string, SafecallRule>>): string {
  const legend = [
    `💼 Presets: ${presets.map((preset) => `${presetEmoji[preset.name]} \`${preset.name}\``).join(', ')}.`,
    '💭 Requires type information. 🔧 Automatically fixable with `--fix`. 💡 Offers editor suggestions.',
  ];
  const header = ['| Name | Description | 💼 | 💭 | 🔧 | 💡 |', '| :-- | :-- | :-- | :-- | :-- | :-- |'];
  const rows = Object.keys(rules)
    .sort()
    .map((name) => ruleRow(name, rules[name]!));
  return [...legend, '', ...header, ...rows].join('\n');
}

/** `readme` with the text between the markers replaced by `list`. */
export function replaceRulesList(readme: string, list: string): string {
  const begin = readme.indexOf(beginMarker);
  const end = readme.indexOf(endMarker);
  if (begin === -1 || end < begin) {
    throw new Error(`README.md must contain "${beginMarker}" followed by "${endMarker}" where the rules list goes`);
  }
  return `${readme.slice(0, begin + beginMarker.length)}\n\n${list}\n\n${readme.slice(end)}`;
}
