import path from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';

/** The fixture project for typed cases: `tsconfig.json` includes every `.ts` file below it. */
export const fixturesDir = path.join(import.meta.dirname, 'fixtures');

/**
 * A RuleTester with type information. Each case is linted as `file.ts` in the fixture project unless
 * it names another `filename` there, so it can import helpers from files beside it (`./my-rule/gateway`).
 */
export function createTypedRuleTester(tsconfigRootDir: string = fixturesDir): RuleTester {
  return new RuleTester({ languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir } } });
}

/** A RuleTester without type information: what a rule sees in the `recommended` preset. */
export function createUntypedRuleTester(): RuleTester {
  return new RuleTester();
}
