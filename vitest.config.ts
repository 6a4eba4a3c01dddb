import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources in tests (see each package's "exports").
    conditions: ['@safecall/source'],
  },
  ssr: {
    resolve: { conditions: ['@safecall/source'] },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/tests/**/*.test.ts', 'rules/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/setup/vitest.setup.ts'],
    // One embedded PostgreSQL per run; tests get its URL with inject('postgresUrl').
    globalSetup: ['./test/setup/postgres.global.ts'],
    // Generous: the first typed lint of a file loads an SDK's type definitions, slow on 2 busy cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
