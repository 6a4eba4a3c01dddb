// The annotation helper moved to tests/support/annotations.ts, shared with the corpus tests.
export * from '../support/annotations.js';
