// The harness the e2e tests trust: annotations are read exactly, so a typo cannot make a case vanish.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReports, readAnnotations } from './annotations.js';

describe('readAnnotations', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safecall-annotations-'));
    fs.mkdirSync(path.join(dir, 'orders'));
    fs.writeFileSync(
      path.join(dir, 'orders', 'orders.service.ts'),
      [
        '// We expect: nothing on this line, it is prose.',
        'await settle(); // expect: safecall/a, safecall/b',
        'await capture(); // expect[strict, recommended-type-checked]: safecall/c // expect: safecall/a',
        'const url = "https://example.com/expect: x"; // why: no annotation here',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'notes.md'), '// expect: safecall/ignored');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every rule of every annotation with its line and presets, from .ts files only', () => {
    expect(readAnnotations(dir)).toEqual([
      { file: 'orders/orders.service.ts', line: 2, ruleId: 'safecall/a', presets: undefined },
      { file: 'orders/orders.service.ts', line: 2, ruleId: 'safecall/b', presets: undefined },
      { file: 'orders/orders.service.ts', line: 3, ruleId: 'safecall/c', presets: ['strict', 'recommended-type-checked'] },
      { file: 'orders/orders.service.ts', line: 3, ruleId: 'safecall/a', presets: undefined },
    ]);
  });

  it('expects an unqualified annotation in the presets that enable its rule, a qualified one only in those named', () => {
    const annotations = readAnnotations(dir);
    expect(expectedReports(annotations, 'recommended', new Set(['safecall/a']))).toEqual([
      'orders/orders.service.ts:2 safecall/a',
      'orders/orders.service.ts:3 safecall/a',
    ]);
    expect(expectedReports(annotations, 'strict', new Set(['safecall/a', 'safecall/b', 'safecall/c']))).toEqual([
      'orders/orders.service.ts:2 safecall/a',
      'orders/orders.service.ts:2 safecall/b',
      'orders/orders.service.ts:3 safecall/a',
      'orders/orders.service.ts:3 safecall/c',
    ]);
  });
});
