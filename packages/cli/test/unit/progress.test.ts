import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { terminalProgress } from '../../src/progress.js';

/** A stand-in for stderr that records what a person would see. */
function fakeTerminal() {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream };
}

const clearLine = '\r\u001b[2K';

describe('terminalProgress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('stays silent on a run that ends within the first second', () => {
    const { writes, stream } = fakeTerminal();
    const progress = terminalProgress(stream);
    progress.phase('ESLint');
    vi.advanceTimersByTime(900);
    progress.done();
    vi.advanceTimersByTime(5_000);
    expect(writes).toEqual([]);
  });

  it('shows the current phase on a long run, follows phase changes, and clears the line at the end', () => {
    const { writes, stream } = fakeTerminal();
    const progress = terminalProgress(stream);
    progress.phase('ESLint (type-aware)');
    vi.advanceTimersByTime(1_250);
    expect(writes.at(-1)).toBe(`${clearLine}ESLint (type-aware)…`);
    progress.phase('dependency-cruiser');
    expect(writes.at(-1)).toBe(`${clearLine}dependency-cruiser…`);
    progress.done();
    expect(writes.at(-1)).toBe(clearLine);
    const written = writes.length;
    vi.advanceTimersByTime(5_000);
    expect(writes).toHaveLength(written);
  });
});
