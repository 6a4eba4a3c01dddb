// @ts-check
import tseslint from 'typescript-eslint';

// The repository lints itself with its own rules, loaded from the plugin's build by path: the package name
// would resolve to the TypeScript sources wherever the `@safecall/source` condition is on (in vitest).
const safecall = await import('./packages/eslint-plugin/dist/index.js').then(
  (module) => module.default,
  (error) => {
    throw new Error(`eslint.config.js: cannot load @safecall/eslint-plugin from its build; run \`npm run build\` first (${error.message})`);
  },
);

export default tseslint.config(
  {
    // .tmp/ holds git-ignored scratch copies of fixture projects made by the CLI tests; corpus/ holds
    // deliberate violations the plugin's corpus tests lint with their own config.
    ignores: ['**/dist/**', '**/node_modules/**', '**/fixtures/**', '**/corpus/*/**', '**/.tmp/**', '**/*.d.ts', 'coverage/**'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // dependency-cruiser loads its presets with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Every file gets the rules that need no types; our own sources (in a tsconfig) get all of them, with types.
  safecall.configs.recommended,
  {
    ...safecall.configs.strict,
    files: ['packages/*/src/**/*.ts', 'rules/src/**/*.ts', 'demo/*.ts'],
    languageOptions: {
      ...safecall.configs.strict.languageOptions,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
);
