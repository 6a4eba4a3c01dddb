import { ESLintUtils } from '@typescript-eslint/utils';

/** The project checks are documented in the package README, one section per rule. */
export const projectChecksDocs = 'https://github.com/safecall/safecall/blob/main/rules/README.md';

export interface ProjectCheckDocs {
  requiresTypeChecking: boolean;
}

export const createRule = ESLintUtils.RuleCreator<ProjectCheckDocs>((name) => `${projectChecksDocs}#${name}`);
