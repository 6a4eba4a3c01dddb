import { spawnSync } from 'node:child_process';
import { format, type ICruiseResult, type IDependency, type IModule, type IRuleSummary } from 'dependency-cruiser';
import { defaultLayers } from '@safecall/architecture';
import type { GraphOptions } from './args.js';
import { checkArchitecture, drawnLayers, layersUsed, type LayerPatterns } from './architecture.js';
import { assertPathsExist } from './check.js';
import { UsageError } from './errors.js';
import { resolveTypeInformation } from './tsconfig.js';

/** A module that belongs to no layer of the pattern. */
export const otherLayer = '(other)';


/**
 * `safecall graph`: the architecture at layer level — one node per layer (and per external package
 * a layer imports), one edge per layer dependency, violating edges marked — drawn by
 * dependency-cruiser's own reporters.
 */
export async function renderGraph(options: GraphOptions, cwd: string): Promise<string> {
  assertPathsExist(cwd, options.paths);
  const types = resolveTypeInformation(cwd, undefined, undefined);
  const { result } = await checkArchitecture({ cwd, paths: options.paths, types, applyBaseline: false });
  const layered = collapseToLayers(result);
  if (options.format === 'svg') return renderSvg(String((await format(layered, { outputType: 'dot' })).output));
  const { output } = await format(layered, { outputType: options.format });
  const text = String(output);
  return options.format === 'mermaid' ? text.trimEnd() + markInvalidMermaidEdges(layered) + '\n' : text;
}

/** dependency-cruiser draws SVG only through Graphviz; without `dot` the other formats still work. */
function renderSvg(dotSource: string): string {
  const rendered = spawnSync('dot', ['-Tsvg'], { input: dotSource, encoding: 'utf8' });
  if (rendered.error && (rendered.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new UsageError(
      "--format svg needs Graphviz's `dot` on the PATH (https://graphviz.org/download/); " +
        'use --format html or --format mermaid, which need nothing else, or --format dot and render it elsewhere',
    );
  }
  if (rendered.status !== 0) {
    throw new UsageError(`Graphviz's dot failed (exit code ${rendered.status ?? 'none'}): ${rendered.stderr || rendered.error?.message}`);
  }
  return rendered.stdout;
}

export function layerOf(source: string, layers: LayerPatterns = defaultLayers): string {
  return drawnLayers.find((layer) => new RegExp(layers[layer]).test(source)) ?? otherLayer;
}

/** A package (in node_modules, or a workspace outside the project) is drawn as one node, named as imported. */
function isExternal(source: string): boolean {
  return source.startsWith('../') || /(^|\/)node_modules\//.test(source);
}

function nodeOf(dependency: IDependency, layers: LayerPatterns): string {
  if (dependency.coreModule || dependency.couldNotResolve) return dependency.module;
  if (isExternal(dependency.resolved)) return packageName(dependency.module);
  return layerOf(dependency.resolved, layers);
}

function packageName(specifier: string): string {
  return /^(?:@[^/]+\/)?[^/]+/.exec(specifier)?.[0] ?? specifier;
}

/** Merges the cruised modules into layer nodes; an edge is invalid when any import behind it is. */
export function collapseToLayers(result: ICruiseResult, layers: LayerPatterns = layersUsed(result)): ICruiseResult {
  const isTest = (source: string) => new RegExp(layers.test).test(source);
  const edges = new Map<string, Map<string, IDependency>>();
  const nodes = new Set<string>();
  for (const module of result.modules) {
    if (isTest(module.source) || isExternal(module.source) || module.coreModule || module.couldNotResolve) continue;
    const from = layerOf(module.source, layers);
    nodes.add(from);
    const targets = edges.get(from) ?? new Map<string, IDependency>();
    edges.set(from, targets);
    for (const dependency of module.dependencies) {
      const to = nodeOf(dependency, layers);
      if (to === from && dependency.valid) continue;
      nodes.add(to);
      targets.set(to, mergeEdge(targets.get(to), dependency, to));
    }
  }
  const modules: IModule[] = [...nodes].sort().map((node) => {
    const dependencies = [...(edges.get(node)?.values() ?? [])].sort((a, b) => (a.resolved < b.resolved ? -1 : 1));
    const dependents = [...edges].filter(([, targets]) => targets.has(node)).map(([from]) => from).sort();
    // A module's own `valid` is about module rules (orphans and the like); the violations sit on the edges.
    return { source: node, dependencies, dependents, valid: true };
  });
  return { ...result, modules };
}

function mergeEdge(existing: IDependency | undefined, dependency: IDependency, to: string): IDependency {
  const rules = uniqueRules([...(existing?.rules ?? []), ...(dependency.rules ?? [])]);
  return {
    ...(existing ?? dependency),
    module: to,
    resolved: to,
    valid: (existing?.valid ?? true) && dependency.valid,
    circular: (existing?.circular ?? false) || dependency.circular,
    ...(rules.length > 0 ? { rules } : {}),
  };
}

function uniqueRules(rules: readonly IRuleSummary[]): IRuleSummary[] {
  return [...new Map(rules.map((rule) => [rule.name, rule])).values()];
}

/**
 * dependency-cruiser's mermaid reporter draws every edge alike; colour the invalid ones. Its edges
 * come out in module order, then dependency order, which is what the indices count.
 */
function markInvalidMermaidEdges(result: ICruiseResult): string {
  const invalid = result.modules
    .flatMap((module) => module.dependencies)
    .flatMap((dependency, index) => (dependency.valid ? [] : [index]));
  return invalid.length === 0 ? '' : `\nlinkStyle ${invalid.join(',')} stroke:#d00,stroke-width:3px`;
}
