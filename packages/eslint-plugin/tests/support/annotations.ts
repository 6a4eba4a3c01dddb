/**
 * Expectations written into the fixture files: a trailing `// expect: safecall/<rule>, ...` (every preset
 * that enables the rule) or `// expect[<preset>,...]: ...` (only the presets named) on the reported line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ESLint } from 'eslint';

export interface Annotation {
  readonly file: string;
  readonly line: number;
  readonly ruleId: string;
  /** The presets named in `expect[...]`, or undefined for "every preset that enables the rule". */
  readonly presets: readonly string[] | undefined;
}

// `expect[...]: a/b, c/d` after `//`; rule ids are always namespaced, which keeps prose like "we expect: x" out.
const annotationPattern = /\/\/.*?\bexpect(?:\[([^\]]*)\])?:\s*([\w@-]+\/[\w-]+(?:\s*,\s*[\w@-]+\/[\w-]+)*)/g;

/** Every annotation in the `.ts` files below `root`, with paths relative to it. */
export function readAnnotations(root: string): Annotation[] {
  const annotations: Annotation[] = [];
  for (const file of listTypeScriptFiles(root)) {
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
    lines.forEach((text, index) => {
      for (const match of text.matchAll(annotationPattern)) {
        const presets = match[1]?.split(',').map((name) => name.trim());
        const ruleIds = match[2]!.split(',').map((rule) => rule.trim()).filter(Boolean);
        if (ruleIds.length === 0) throw new Error(`${file}:${index + 1}: an expect annotation names no rule`);
        for (const ruleId of ruleIds) annotations.push({ file, line: index + 1, ruleId, presets });
      }
    });
  }
  return annotations;
}

export function listTypeScriptFiles(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/**
 * What a preset must report: `file:line ruleId`, one entry per report, sorted, so a failing comparison
 * shows exactly which reports are missing and which are unexpected.
 */
export function expectedReports(annotations: readonly Annotation[], preset: string, enabledRules: ReadonlySet<string>): string[] {
  return annotations
    .filter((a) => (a.presets ? a.presets.includes(preset) : enabledRules.has(a.ruleId)))
    .map((a) => `${a.file}:${a.line} ${a.ruleId}`)
    .sort();
}

/** What ESLint reported, in the same form; a fatal parse error shows as `parse error: <message>`. */
export function actualReports(results: readonly ESLint.LintResult[], root: string): string[] {
  return results
    .flatMap((result) =>
      result.messages.map((message) => {
        const file = path.relative(root, result.filePath).split(path.sep).join('/');
        return `${file}:${message.line} ${message.ruleId ?? `parse error: ${message.message}`}`;
      }),
    )
    .sort();
}
