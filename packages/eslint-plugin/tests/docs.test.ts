import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseForESLint } from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import { rules } from '../src/rules/index.js';
import type { SafecallRule } from '../src/rules/index.js';
import { docsBase } from '../src/util/create-rule.js';

// Rule pages are tested like code, after typescript-eslint's docs.test.ts: each page says what the
// rule's meta says, documents every option, and its examples parse.

const packageDir = path.join(import.meta.dirname, '..');
const docsDir = path.join(packageDir, 'docs', 'rules');
const rulesDir = path.join(packageDir, 'src', 'rules');

const presetLevels = ['recommended', 'recommended-type-checked', 'strict'];

interface Section {
  readonly heading: string;
  readonly level: number;
  readonly body: string;
}

/** Splits a page into its `##`/`###` sections (text between a heading and the next heading of any level). */
function sectionsOf(markdown: string): Section[] {
  const sections: Section[] = [];
  let current: { heading: string; level: number; lines: string[] } | undefined;
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^(#{2,6})\s+(.*?)\s*$/.exec(line);
    if (heading) {
      if (current) sections.push({ heading: current.heading, level: current.level, body: current.lines.join('\n') });
      current = { heading: heading[2]!, level: heading[1]!.length, lines: [] };
    } else {
      current?.lines.push(line);
    }
  }
  if (current) sections.push({ heading: current.heading, level: current.level, body: current.lines.join('\n') });
  return sections;
}

/** The first paragraph after the `#` title: the page's one-line summary. */
function summaryOf(markdown: string): string | undefined {
  const lines = markdown.split('\n');
  const title = lines.findIndex((line) => line.startsWith('# '));
  return lines
    .slice(title + 1)
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('<!--'));
}

function tsSamplesOf(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** The option names a rule's schema declares: the properties of each object in the options array. */
function optionNamesOf(rule: SafecallRule): string[] {
  const schema = rule.meta.schema;
  const items = Array.isArray(schema) ? schema : [];
  return items.flatMap((item) =>
    typeof item === 'object' && item !== null && 'properties' in item && item.properties
      ? Object.keys(item.properties)
      : [],
  );
}

/** The options part of a page: the `## Options` section and every `###` below it. */
function optionSectionsOf(markdown: string): Section[] {
  const sections = sectionsOf(markdown);
  const start = sections.findIndex((section) => section.level === 2 && section.heading === 'Options');
  if (start === -1) return [];
  const end = sections.findIndex((section, index) => index > start && section.level === 2);
  return sections.slice(start, end === -1 ? undefined : end);
}

describe('the rule registry', () => {
  const ruleFiles = readdirSync(rulesDir)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.slice(0, -'.ts'.length));

  it('registers every rule file under the rule name the file is named after', () => {
    expect(Object.keys(rules).sort()).toEqual(ruleFiles.sort());
  });

  it('keeps every page in docs/rules for a registered rule', () => {
    const pages = (existsSync(docsDir) ? readdirSync(docsDir) : []).filter((file) => file.endsWith('.md'));
    expect(pages.map((page) => page.slice(0, -'.md'.length)).filter((name) => !(name in rules))).toEqual([]);
  });
});

describe.each(Object.entries(rules))('%s', (name, rule) => {
  const pagePath = path.join(docsDir, `${name}.md`);
  const page = existsSync(pagePath) ? readFileSync(pagePath, 'utf8') : '';
  const docs = rule.meta.docs;

  it('carries its own name', () => {
    expect((rule as SafecallRule & { name?: string }).name).toBe(name);
  });

  it('is a problem rule with a one-sentence description and a preset', () => {
    expect(rule.meta.type).toBe('problem');
    expect(docs?.description).toMatch(/^[A-Z][^\n]*$/);
    expect(presetLevels).toContain(docs?.recommended);
  });

  it('is not in the recommended preset if it cannot work without type information', () => {
    if (docs?.requiresTypeChecking) expect(docs.recommended).not.toBe('recommended');
  });

  it('points meta.docs.url at its page, which exists', () => {
    expect(docs?.url).toBe(`${docsBase}/${name}.md`);
    expect(existsSync(pagePath), `${pagePath} is missing`).toBe(true);
  });

  it('has a title naming the rule and a summary equal to meta.docs.description', () => {
    expect(page.split('\n').find((line) => line.startsWith('# '))).toContain(name);
    expect(summaryOf(page)).toBe(docs?.description);
  });

  it('says it requires type checking exactly when meta.docs.requiresTypeChecking is set', () => {
    expect(/requires type checking/i.test(page)).toBe(docs?.requiresTypeChecking === true);
  });

  it('shows incorrect and correct examples', () => {
    expect(page).toContain('❌');
    expect(page).toContain('✅');
    expect(tsSamplesOf(page).length).toBeGreaterThanOrEqual(2);
  });

  it('has examples that parse as TypeScript', () => {
    for (const sample of tsSamplesOf(page)) {
      expect(() => parseForESLint(sample, { sourceType: 'module', range: true, loc: true }), sample).not.toThrow();
    }
  });

  it('documents every option with its own heading under ## Options, with its default', () => {
    const sections = optionSectionsOf(page);
    expect(sections.length, 'the page has no "## Options" section').toBeGreaterThan(0);
    for (const option of optionNamesOf(rule)) {
      const section = sections.find((candidate) => candidate.level === 3 && candidate.heading.replaceAll('`', '') === option);
      expect(section, `no "### ${option}" heading under "## Options"`).toBeDefined();
      expect(section?.body, `"### ${option}" does not state its default`).toMatch(/default/i);
    }
  });

  it('declares defaultOptions when it takes options', () => {
    if (optionNamesOf(rule).length > 0) expect(rule.defaultOptions.length).toBeGreaterThan(0);
  });

  it('has a "When Not To Use It" section', () => {
    expect(sectionsOf(page).some((section) => section.level === 2 && section.heading === 'When Not To Use It')).toBe(true);
  });
});
