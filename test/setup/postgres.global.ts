// vitest globalSetup: one PostgreSQL server per test run; each test file creates its own database
// on it (createTestDatabase(inject('postgresUrl'))), so files stay isolated.
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
