#!/usr/bin/env node
// Committed rather than built, so npm links `safecall` into node_modules/.bin at install time, before
// the first build, and the link stays executable however often dist/ is rebuilt or deleted.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(`safecall: ${built.pathname} does not exist: build the CLI first (npm run build)\n`);
  process.exitCode = 2;
} else {
  await import(built.href);
}
