// The registry of rules, one import per rule file. Add yours here in alphabetical order.
import type { TSESLint } from '@typescript-eslint/utils';

export const rules: Record<string, TSESLint.RuleModule<string, readonly unknown[]>> = {};
