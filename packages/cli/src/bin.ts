#!/usr/bin/env node
import { runCli } from './cli.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  });
} catch (error) {
  // Not the user's mistake and not a finding: report it like a configuration failure, never as exit 1.
  process.stderr.write(`safecall: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
}
