import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBinaryBuilt, binary, copyFixture, removeProject, safecall } from './harness.js';

const repositoryRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const { version } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let shop: string;
beforeAll(() => {
  assertBinaryBuilt();
  shop = copyFixture('shop');
});
afterAll(() => removeProject(shop));

// Help and usage errors load no checker and answer fast; the timeout is for a loaded CI machine.
vi.setConfig({ testTimeout: 60_000 });

describe('safecall help and version', () => {
  it('lists the commands and the global options', async () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const run = await safecall(args, shop);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Usage: safecall <command>/);
      expect(run.stdout).toMatch(/^ {2}check \[paths\]/m);
      expect(run.stdout).toMatch(/^ {2}graph \[paths\]/m);
    }
  });

  it("prints each command's own options", async () => {
    const check = await safecall(['check', '--help'], shop);
    expect(check.status).toBe(0);
    for (const option of ['--format <pretty|json|sarif>', '--output <file>', '--type-check', '--no-type-check', '--tsconfig <file>', '--update-baseline']) {
      expect(check.stdout).toContain(option);
    }
    expect(check.stdout).toContain('Exit codes: 0 no errors, 1 errors found, 2 usage or configuration error.');

    const graph = await safecall(['help', 'graph'], shop);
    expect(graph.status).toBe(0);
    expect(graph.stdout).toContain('--format <mermaid|html|svg|dot>');
    expect(graph.stdout).toContain("svg needs Graphviz's dot");
  });

  it('prints the version of the package', async () => {
    const run = await safecall(['--version'], shop);
    expect(run).toMatchObject({ status: 0, stdout: `${version}\n` });
  });
});

describe('safecall usage errors (exit 2, nothing on stdout)', () => {
  it.each([
    [['deploy'], "unknown command 'deploy' (expected one of: check, graph)"],
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['graph', '--colour'], "graph: unknown option '--colour'"],
    [['check', '--format'], "option '--format' needs a value"],
    [['check', '--tsconfig', 'tsconfig.json', '--no-type-check'], "'--tsconfig' and '--no-type-check' contradict each other"],
    [['check', '--type-aware', '--no-type-check'], "'--type-check' and '--type-aware' are one option given two values"],
    [['check', '--update-baseline', 'src'], "'--update-baseline' freezes the whole project and takes no paths (got: src)"],
  ])('safecall %j', async (args, message) => {
    const run = await safecall(args, shop);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});

describe('npx safecall', () => {
  it('is linked into the repository root by the workspace and runs through its shebang', () => {
    const link = path.join(repositoryRoot, 'node_modules', '.bin', 'safecall');
    expect(fs.realpathSync(link)).toBe(fs.realpathSync(binary));
    // Run the link itself, not `node <file>`: this needs the shebang and the executable bit.
    const run = spawnSync(link, ['--version'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${version}\n`);
  });
});
