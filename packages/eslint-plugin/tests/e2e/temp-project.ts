// A throwaway project in the OS temp dir, its dependencies symlinked from this repo's node_modules the
// way a package manager would install them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../../../..');

export interface TempProject {
  readonly dir: string;
  remove(): void;
}

/** Writes `files` (relative path → content) and links each of `dependencies` into `<dir>/node_modules`. */
export function createTempProject(files: Readonly<Record<string, string>>, dependencies: readonly string[]): TempProject {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'safecall-e2e-')));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  for (const name of dependencies) {
    const installed = path.join(repoRoot, 'node_modules', name);
    if (!fs.existsSync(installed)) throw new Error(`${name} is not installed in ${repoRoot}/node_modules; run npm install`);
    const link = path.join(dir, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(fs.realpathSync(installed), link, 'dir');
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A tsconfig for a temp project. With `fromSource`, `@safecall/runtime` resolves to its TypeScript sources
 * (no build needed); without, to its built declarations, as in a user's project.
 */
export function tempTsconfig({ fromSource }: { fromSource: boolean }): string {
  const compilerOptions = {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    ...(fromSource ? { customConditions: ['@safecall/source'] } : {}),
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  return JSON.stringify({ compilerOptions, include: ['src/**/*.ts'] }, null, 2);
}
