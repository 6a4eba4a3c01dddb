import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { UsageError } from './errors.js';

/** How ESLint gets type information: the tsconfig that `--tsconfig` names, or the project service. */
export type TypeInformation =
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'project'; readonly tsconfig: string }
  | { readonly kind: 'project-service'; readonly tsconfig: string };

/**
 * Decides whether the run is type-aware. `typeCheck` undefined means "when a tsconfig.json is found
 * in the cwd"; true means it is required. A tsconfig that is found but broken is always an error:
 * type-aware rules would otherwise fail file by file with a less helpful message.
 */
export function resolveTypeInformation(cwd: string, typeCheck: boolean | undefined, tsconfig: string | undefined): TypeInformation {
  if (typeCheck === false) return { kind: 'none', reason: '--no-type-check' };
  if (tsconfig !== undefined) {
    const file = path.resolve(cwd, tsconfig);
    if (!fs.existsSync(file)) throw new UsageError(`--tsconfig: file not found: ${tsconfig}`);
    assertValidTsconfig(file, cwd);
    return { kind: 'project', tsconfig: file };
  }
  const found = path.join(cwd, 'tsconfig.json');
  if (!fs.existsSync(found)) {
    if (typeCheck === true) {
      throw new UsageError(
        `--type-check needs a tsconfig.json, and there is none in ${cwd} (name one with --tsconfig <file>, or pass --no-type-check)`,
      );
    }
    return { kind: 'none', reason: `no tsconfig.json in ${cwd}` };
  }
  assertValidTsconfig(found, cwd);
  return { kind: 'project-service', tsconfig: found };
}

/** Parses the tsconfig the way tsc does (including `extends`) and turns its errors into a UsageError. */
function assertValidTsconfig(file: string, cwd: string): void {
  const shown = path.relative(cwd, file) || file;
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new UsageError(`${shown} is not a valid tsconfig: ${describeDiagnostic(error)}`);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(file), undefined, file);
  const [first] = parsed.errors.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (first) throw new UsageError(`${shown} is not a valid tsconfig: ${describeDiagnostic(first)}`);
}

function describeDiagnostic(diagnostic: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  if (!diagnostic.file || diagnostic.start === undefined) return text;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${text} (line ${line + 1}, column ${character + 1})`;
}
