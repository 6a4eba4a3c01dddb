import { readFileSync } from 'node:fs';
import path from 'node:path';

// One read per directory for the whole process: package.json files do not move while ESLint runs.
const packageNameByDirectory = new Map<string, string | undefined>();

/**
 * The `name` of the nearest package.json above a file. A workspace package is reached through a
 * symlink (`node_modules/@safecall/runtime` → `packages/runtime`), so a declaration's package is
 * decided by this name, never by whether its path contains `node_modules`.
 */
export function packageNameOf(fileName: string): string | undefined {
  return packageNameOfDirectory(path.dirname(fileName));
}

function packageNameOfDirectory(directory: string): string | undefined {
  if (packageNameByDirectory.has(directory)) return packageNameByDirectory.get(directory);
  const name = readPackageName(directory);
  const parent = path.dirname(directory);
  const resolved = name !== undefined ? name : parent === directory ? undefined : packageNameOfDirectory(parent);
  packageNameByDirectory.set(directory, resolved);
  return resolved;
}

function readPackageName(directory: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(directory, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const name = typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }).name : undefined;
    // A package.json without a name (e.g. `{"type":"module"}` in a subfolder) does not end the search.
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** True when `specifier` is one of `modules` or a subpath of one (`@safecall/runtime/testing`). */
export function isModuleIn(specifier: string, modules: readonly string[]): boolean {
  return modules.some((name) => specifier === name || specifier.startsWith(`${name}/`));
}
