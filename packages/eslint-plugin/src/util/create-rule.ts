import { ESLintUtils } from '@typescript-eslint/utils';

/** Where each rule's documentation lives; `meta.docs.url` points here. */
export const docsBase = 'https://github.com/safecall/safecall/blob/main/packages/eslint-plugin/docs/rules';

/** Extra `meta.docs` fields our rules carry (read by the presets and the docs tests). */
export interface SafecallRuleDocs {
  /** The presets that enable the rule. `recommended` needs no type information. */
  recommended?: 'recommended' | 'recommended-type-checked' | 'strict';
  /** True when the rule cannot work at all without type information. */
  requiresTypeChecking?: boolean;
  /** Options a preset sets for the rule (`strict` also checks updates); presets not named use the defaults. */
  presetOptions?: Partial<Record<'recommended' | 'recommended-type-checked' | 'strict', Readonly<Record<string, unknown>>>>;
}

export const createRule = ESLintUtils.RuleCreator<SafecallRuleDocs>((name) => `${docsBase}/${name}.md`);
