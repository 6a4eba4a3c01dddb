import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRulesList, replaceRulesList } from '../scripts/rules-list.js';
import { rules } from '../src/rules/index.js';
import type { SafecallRule } from '../src/rules/index.js';

const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('the README rules list', () => {
  it('matches the rules meta (run `npm run docs -w @safecall/eslint-plugin` to regenerate it)', () => {
    expect(readme).toBe(replaceRulesList(readme, renderRulesList(rules)));
  });

  it('lists a rule with its link, description, presets, type information, fix and suggestion marks', () => {
    const rule = {
      meta: {
        type: 'problem',
        docs: { description: 'Require a thing', recommended: 'recommended-type-checked', requiresTypeChecking: true, url: '' },
        fixable: 'code',
        hasSuggestions: true,
        messages: {},
        schema: [],
      },
      defaultOptions: [],
      create: () => ({}),
    } as unknown as SafecallRule;
    expect(renderRulesList({ 'a-rule': rule })).toContain(
      '| [a-rule](docs/rules/a-rule.md) | Require a thing | ☑️ 🔒 | 💭 | 🔧 | 💡 |',
    );
  });

  it('refuses a README without the markers, naming them', () => {
    expect(() => replaceRulesList('# nothing here', '')).toThrow(/<!-- begin auto-generated rules list -->/);
  });
});
