import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseInvocation, type CheckOptions } from './args.js';
import { UsageError } from './errors.js';
import type { CheckReport } from './report.js';

// ESLint, TypeScript and dependency-cruiser take seconds to load: they are imported only when a
// command needs them, so help, version and usage errors answer at once.

/** Where the CLI reads and writes; the binary passes the process's own, tests may pass others. */
export interface CliEnvironment {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

export const exitCodes = { clean: 0, violations: 1, usage: 2 } as const;

// package.json sits one level above both src/ and dist/.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
const informationUri = 'https://github.com/safecall/safecall/tree/main/packages/cli#readme';

const usage = `Usage: safecall <command> [paths...] [options]

Commands:
  check [paths]   ESLint with @safecall/eslint-plugin, the project checks and the
                  dependency-cruiser architecture rules, in one report
  graph [paths]   the layers of the pattern and their dependencies, violations marked

Options:
  -h, --help      show this help ('safecall <command> --help' for a command's options)
  -v, --version   print the version

Docs: ${informationUri}`;

const checkUsage = `Usage: safecall check [paths...] [options]

Checks the given files and folders (default: the current directory). Always computed afresh:
whole-program results are never read from a cache.

Options:
  -f, --format <pretty|json|sarif>  report format (default: pretty; SARIF 2.1.0 for code scanning)
  -o, --output <file>               write the report to a file instead of stdout
      --type-check                  require type-aware linting (fails without a tsconfig.json);
                                    --type-aware is the same option
      --no-type-check               lint without type information
      --tsconfig <file>             the tsconfig for type-aware linting (default: ./tsconfig.json)
      --update-baseline             freeze today's violations in eslint-suppressions.json and
                                    .dependency-cruiser-known-violations.json; later runs fail
                                    only on new ones (whole project only: takes no paths)
  -h, --help                        show this help

Exit codes: 0 no errors, 1 errors found, 2 usage or configuration error.`;

const graphUsage = `Usage: safecall graph [paths...] [options]

Draws the layers (controller, command, orchestrator, gateway, finalizer, reaper) and the
packages they import, with the edges that break an architecture rule marked.

Options:
  -f, --format <mermaid|html|svg|dot>  picture format (default: mermaid)
                                       svg needs Graphviz's dot on the PATH; mermaid and html
                                       need nothing else; dot is Graphviz source
  -o, --output <file>                  write the picture to a file instead of stdout
  -h, --help                           show this help

Exit codes: 0 drawn, 2 usage or configuration error.`;

/** Runs one `safecall` invocation and returns its exit code; never throws for a user's mistake. */
export async function runCli(argv: readonly string[], io: CliEnvironment): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    switch (invocation.command) {
      case 'help':
        io.stdout.write((invocation.topic === 'check' ? checkUsage : invocation.topic === 'graph' ? graphUsage : usage) + '\n');
        return exitCodes.clean;
      case 'version':
        io.stdout.write(`${version}\n`);
        return exitCodes.clean;
      case 'check':
        return await check(invocation.options, io);
      case 'graph': {
        const { renderGraph } = await import('./graph.js');
        emit(io, invocation.options.output, await renderGraph(invocation.options, io.cwd));
        return exitCodes.clean;
      }
    }
  } catch (error) {
    if (error instanceof UsageError || (await isArchitectureCheckError(error))) {
      io.stderr.write(`safecall: ${(error as Error).message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
}

/** A broken input found by @safecall/architecture (config, tsconfig, path): a usage error too. */
async function isArchitectureCheckError(error: unknown): Promise<boolean> {
  if (!(error instanceof Error)) return false;
  const { ArchitectureCheckError } = await import('@safecall/architecture');
  return error instanceof ArchitectureCheckError;
}

async function check(options: CheckOptions, io: CliEnvironment): Promise<number> {
  const [{ runCheck }, { exitCodeOf }, { silentProgress, terminalProgress }] = await Promise.all([
    import('./check.js'),
    import('./report.js'),
    import('./progress.js'),
  ]);
  // Progress is for a person watching a terminal; machine formats are read by tools that want silence.
  const progress = options.format === 'pretty' && io.stderr.isTTY ? terminalProgress(io.stderr) : silentProgress;
  const { report, baselineFiles } = await runCheck(options, io.cwd, progress);
  if (baselineFiles.length > 0) {
    io.stderr.write(`safecall: baseline written to ${baselineFiles.join(' and ')} (${report.suppressed} known violations)\n`);
  }
  emit(io, options.output, await renderReport(report, options, io));
  return exitCodeOf(report);
}

async function renderReport(report: CheckReport, options: CheckOptions, io: CliEnvironment): Promise<string> {
  const tool = { name: 'safecall', version };
  switch (options.format) {
    case 'json':
      return (await import('./format/json.js')).formatJson(report, tool);
    case 'sarif':
      return (await import('./format/sarif.js')).formatSarif(report, { ...tool, informationUri }, io.cwd);
    case 'pretty': {
      const [{ formatPretty }, { colored, plain, shouldColor }] = await Promise.all([import('./format/pretty.js'), import('./format/ansi.js')]);
      return formatPretty(report, options.output === undefined && shouldColor(io.stdout, io.env) ? colored : plain);
    }
  }
}

function emit(io: CliEnvironment, output: string | undefined, text: string): void {
  if (output === undefined) {
    io.stdout.write(text);
    return;
  }
  const file = path.resolve(io.cwd, output);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`--output: cannot write ${output}: ${(error as Error).message}`, { cause: error });
  }
}
