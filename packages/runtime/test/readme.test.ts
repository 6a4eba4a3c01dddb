// The docs are tested like code: every ```ts block of the README and docs/postgres.md type-checks against
// the package's sources, and every option and error the sources declare is documented.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import * as runtime from '../src/index.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCUMENTS = ['README.md', 'docs/postgres.md'] as const;

interface CodeBlock {
  readonly document: string;
  /** 1-based line of the block's first code line in the document. */
  readonly line: number;
  readonly code: string;
  /** Where the block is compiled: next to the tests, so imports resolve as in a user's project. */
  readonly fileName: string;
}

function readDocument(document: string): string {
  return fs.readFileSync(path.join(packageDir, document), 'utf8');
}

function tsBlocks(document: string): CodeBlock[] {
  const markdown = readDocument(document);
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, index) => ({
    document,
    line: markdown.slice(0, match.index).split('\n').length + 1,
    code: match[1]!,
    fileName: path.join(packageDir, 'test', `${document.replace(/\W/g, '_')}.block-${index + 1}.ts`),
  }));
}

/** Type-checks each block as its own module in one program with the package's compiler options. */
function compile(blocks: readonly CodeBlock[]): ts.Program {
  const configPath = path.join(packageDir, 'test', 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const sources = new Map(blocks.map((block) => [block.fileName, block.code]));
  const host = ts.createCompilerHost(config.options);
  const readSource = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const code = sources.get(fileName);
    return code === undefined ? readSource(fileName, languageVersion, ...rest) : ts.createSourceFile(fileName, code, languageVersion, true);
  };
  host.fileExists = (fileName) => sources.has(fileName) || ts.sys.fileExists(fileName);
  host.readFile = (fileName) => sources.get(fileName) ?? ts.sys.readFile(fileName);
  const roots = [...sources.keys(), path.join(packageDir, 'src', 'index.ts')];
  return ts.createProgram(roots, config.options, host);
}

function diagnosticsOf(program: ts.Program, block: CodeBlock): string[] {
  const file = program.getSourceFile(block.fileName)!;
  return ts.getPreEmitDiagnostics(program, file).map((diagnostic) => {
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return `${block.document}:${block.line + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

/** The property names of an interface exported by a source file of the package. */
function propertiesOf(program: ts.Program, sourceFile: string, interfaceName: string): string[] {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(path.join(packageDir, 'src', sourceFile));
  const declaration = file?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === interfaceName);
  if (!declaration) throw new Error(`no interface ${interfaceName} in src/${sourceFile}`);
  return checker.getTypeAtLocation(declaration).getProperties().map((property) => property.name);
}

const blocks = DOCUMENTS.flatMap(tsBlocks);
let program: ts.Program;

beforeAll(() => {
  program = compile(blocks);
}, 60_000);

describe('the code samples of the docs', () => {
  it('has samples to check in every document, the README’s on SqliteStore', () => {
    expect(blocks.filter((block) => block.document === 'README.md').length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((block) => block.document === 'docs/postgres.md').length).toBeGreaterThanOrEqual(1);
    expect(blocks[0]!.code).toContain("new SqliteStore('safecall.db')");
  });

  it.each(blocks.map((block) => [`${block.document}:${block.line}`, block] as const))('%s type-checks against the package', (_where, block) => {
    expect(diagnosticsOf(program, block)).toEqual([]);
  });

  it('would report a sample that calls the API wrongly', () => {
    const wrong: CodeBlock = {
      document: 'wrong.md',
      line: 1,
      code: "import { Runtime } from '@safecall/runtime';\nnew Runtime({ store: 'safecall.db' });\n",
      fileName: path.join(packageDir, 'test', 'wrong.block-1.ts'),
    };
    expect(diagnosticsOf(compile([wrong]), wrong)).toEqual([expect.stringContaining('wrong.md:2:')]);
  }, 60_000);
});

describe('the reference parts of the docs', () => {
  const readme = readDocument('README.md');
  const postgres = readDocument('docs/postgres.md');

  it('documents every Runtime option and every Orchestrator option in the README', () => {
    for (const option of [...propertiesOf(program, 'runtime.ts', 'RuntimeOptions'), ...propertiesOf(program, 'orchestrator.ts', 'OrchestratorOptions')]) {
      expect(readme, `option ${option}`).toContain(`\`${option}\``);
    }
  });

  it('documents every PostgresStore option in docs/postgres.md', () => {
    for (const option of propertiesOf(program, 'store/postgres/postgres-store.ts', 'PostgresStoreOptions')) {
      expect(postgres, `option ${option}`).toContain(`| \`${option}\` |`);
    }
  });

  it('lists every exported error class with its code in the README', () => {
    const errorClasses = Object.entries(runtime).filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof runtime.SafecallError,
    );
    expect(errorClasses.length).toBeGreaterThanOrEqual(10);
    const codes = [...fs.readFileSync(path.join(packageDir, 'src', 'errors.ts'), 'utf8').matchAll(/readonly code = '(\w+)'/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(errorClasses.length);
    for (const [name] of errorClasses) expect(readme, name).toMatch(new RegExp(`\\| \`${name}\` \\| \`[A-Z_]+\` \\|`));
    for (const code of codes) expect(readme, code).toContain(`\`${code}\``);
  });
});
