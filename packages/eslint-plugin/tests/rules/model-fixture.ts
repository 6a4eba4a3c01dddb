import path from 'node:path';

/** A small safecall project (a stand-in runtime package, a barrel, intermediates) for the model's typed cases. */
export const safecallModelFixtureDir = path.join(import.meta.dirname, '../fixtures/safecall-model');
