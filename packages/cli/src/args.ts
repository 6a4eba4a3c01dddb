import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export const checkFormats = ['pretty', 'json', 'sarif'] as const;
export type CheckFormat = (typeof checkFormats)[number];

export const graphFormats = ['mermaid', 'html', 'svg', 'dot'] as const;
export type GraphFormat = (typeof graphFormats)[number];

export interface CheckOptions {
  readonly paths: readonly string[];
  readonly format: CheckFormat;
  /** `true`: type-aware and a tsconfig is required; `false`: never; `undefined`: when a tsconfig is found. */
  readonly typeCheck: boolean | undefined;
  readonly tsconfig: string | undefined;
  readonly output: string | undefined;
  readonly updateBaseline: boolean;
}

export interface GraphOptions {
  readonly paths: readonly string[];
  readonly format: GraphFormat;
  readonly output: string | undefined;
}

export type Invocation =
  | { readonly command: 'check'; readonly options: CheckOptions }
  | { readonly command: 'graph'; readonly options: GraphOptions }
  | { readonly command: 'help'; readonly topic: 'check' | 'graph' | undefined }
  | { readonly command: 'version' };

const checkOptionSpec = {
  format: { type: 'string', short: 'f' },
  'type-check': { type: 'boolean' },
  // The name DESIGN.md gives the option; kept as an alias.
  'type-aware': { type: 'boolean' },
  tsconfig: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'update-baseline': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const graphOptionSpec = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Reads `safecall <command> [paths] [options]`; every mistake is a UsageError naming the bad part. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { command: 'help', topic: rest[0] === 'check' || rest[0] === 'graph' ? rest[0] : undefined };
    case '--version':
    case '-v':
      return { command: 'version' };
    case 'check':
      return parseCheck(rest);
    case 'graph':
      return parseGraph(rest);
    default:
      throw new UsageError(
        command.startsWith('-')
          ? `unknown option '${command}' (expected a command first: check, graph)`
          : `unknown command '${command}' (expected one of: check, graph)`,
      );
  }
}

function parseCheck(args: readonly string[]): Invocation {
  const { values, positionals } = parseStrict(args, checkOptionSpec, 'check');
  if (values.help) return { command: 'help', topic: 'check' };
  if (values['type-check'] !== undefined && values['type-aware'] !== undefined && values['type-check'] !== values['type-aware']) {
    throw new UsageError("'--type-check' and '--type-aware' are one option given two values: pass one of them");
  }
  const typeCheck = values['type-check'] ?? values['type-aware'];
  if (values.tsconfig !== undefined && typeCheck === false) {
    throw new UsageError("'--tsconfig' and '--no-type-check' contradict each other: pass one of them");
  }
  if (values['update-baseline'] && positionals.length > 0) {
    // The baseline files are rewritten whole; from a subset they would forget every other file's violations.
    throw new UsageError(`'--update-baseline' freezes the whole project and takes no paths (got: ${positionals.join(' ')})`);
  }
  return {
    command: 'check',
    options: {
      paths: positionals,
      format: oneOf('--format', values.format ?? 'pretty', checkFormats),
      typeCheck: values.tsconfig !== undefined ? true : typeCheck,
      tsconfig: values.tsconfig,
      output: values.output,
      updateBaseline: values['update-baseline'] ?? false,
    },
  };
}

function parseGraph(args: readonly string[]): Invocation {
  const { values, positionals } = parseStrict(args, graphOptionSpec, 'graph');
  if (values.help) return { command: 'help', topic: 'graph' };
  return {
    command: 'graph',
    options: {
      paths: positionals,
      format: oneOf('--format', values.format ?? 'mermaid', graphFormats),
      output: values.output,
    },
  };
}

function parseStrict<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T, command: string) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true, allowNegative: true });
  } catch (error) {
    throw new UsageError(`${command}: ${describeParseError(error)} (see 'safecall ${command} --help')`, { cause: error });
  }
}

/** node:util's messages carry advice about '--' that does not fit here; keep the part naming the option. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  // node:util names an option with a short form as '-f, --format <value>'; the long name says most.
  const missing = /^Option '(?:-\w, )?(--?[^' ]+)[^']*' argument missing/.exec(message);
  if (missing) return `option '${missing[1]}' needs a value`;
  return message.split('. ')[0] ?? message;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid value '${value}' for ${option} (expected one of: ${allowed.join(', ')})`);
}
