import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBinaryBuilt, copyFixture, removeProject, safecall } from './harness.js';

const projects: string[] = [];
function project(violations: readonly string[] = []): string {
  const created = copyFixture('shop', violations);
  projects.push(created);
  return created;
}

beforeAll(assertBinaryBuilt);
afterAll(() => projects.forEach(removeProject));

// Each run cruises the project with its tsconfig; a loaded CI machine needs time.
vi.setConfig({ testTimeout: 120_000 });

/** The mermaid flowchart as data: node id → label, edges in drawing order, and the indices `linkStyle` marks. */
function parseMermaid(text: string) {
  const labels = new Map<string, string>();
  for (const [, id, label] of text.matchAll(/^(?:subgraph )?(\w+)\["([^"]*)"\]$/gm)) labels.set(id!, label!);
  const edges = [...text.matchAll(/^(\w+)-->(\w+)$/gm)].map(([, from, to]) => `${labels.get(from!)} --> ${labels.get(to!)}`);
  const styled = /^linkStyle ([\d,]+) /m.exec(text)?.[1]?.split(',').map(Number) ?? [];
  return { labels: [...labels.values()], edges, marked: styled.map((index) => edges[index]) };
}

describe('safecall graph', () => {
  it('draws the layers as mermaid and marks the edge that breaks a rule', async () => {
    const run = await safecall(['graph'], project(['refund.controller.ts']));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^flowchart LR\n/);
    const graph = parseMermaid(run.stdout);
    expect(graph.labels).toEqual(expect.arrayContaining(['controller', 'command', 'orchestrator', 'gateway', 'finalizer', 'reaper', 'stripe']));
    expect(graph.edges).toEqual(expect.arrayContaining(['orchestrator --> gateway', 'gateway --> stripe', 'controller --> gateway']));
    expect(graph.marked).toEqual(['controller --> gateway']);
  });

  it('marks nothing in a project that keeps the rules', async () => {
    const run = await safecall(['graph', '--format', 'mermaid'], project());
    expect(run.status).toBe(0);
    expect(parseMermaid(run.stdout).edges).toContain('orchestrator --> gateway');
    expect(run.stdout).not.toContain('linkStyle');
  });

  it("finds the layers by the patterns of the project's own dependency-cruiser config", async () => {
    const shop = project();
    fs.renameSync(path.join(shop, 'src', 'payment.controller.ts'), path.join(shop, 'src', 'payment.route.ts'));
    fs.writeFileSync(
      path.join(shop, '.dependency-cruiser.cjs'),
      "const { createArchitectureRules } = require('@safecall/architecture/rules');\n" +
        "module.exports = createArchitectureRules({ layers: { controller: '\\\\.(controller|route)\\\\.ts$' } });\n",
    );
    const run = await safecall(['graph', 'src'], shop);
    expect(run.status).toBe(0);
    const graph = parseMermaid(run.stdout);
    expect(graph.edges).toEqual(expect.arrayContaining(['controller --> command']));
    expect(graph.labels).not.toContain('(other)');
  });

  it("writes dependency-cruiser's HTML matrix to a file, the violating cell named by its rule", async () => {
    const shop = project(['refund.controller.ts']);
    const run = await safecall(['graph', '-f', 'html', '-o', 'reports/layers.html'], shop);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const html = fs.readFileSync(path.join(shop, 'reports', 'layers.html'), 'utf8');
    expect(html).toMatch(/<html/i);
    for (const layer of ['controller', 'gateway', 'orchestrator']) expect(html).toContain(`<th><div>${layer}</div></th>`);
    expect([...html.matchAll(/class="cell cell-error" title="([^:"]+):/g)].map(([, rule]) => rule)).toEqual([
      'controller-gateway-via-orchestrator',
    ]);
  });

  it('exits 2 for svg without Graphviz, pointing to the formats that need nothing else', async () => {
    const emptyPath = fs.mkdtempSync(path.join(project(), 'no-graphviz-'));
    const run = await safecall(['graph', '--format', 'svg'], path.dirname(emptyPath), { PATH: emptyPath });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("--format svg needs Graphviz's `dot` on the PATH");
    expect(run.stderr).toContain('--format html or --format mermaid');
  });

  it('exits 2 naming a bad format and a path that does not exist', async () => {
    const shop = project();
    const badFormat = await safecall(['graph', '-f', 'png'], shop);
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toContain("invalid value 'png' for --format (expected one of: mermaid, html, svg, dot)");
    const missing = await safecall(['graph', 'lib'], shop);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('path does not exist: lib');
  });
});
