import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run demo', () => {
  it('charges each idempotency key once, retries the outage and refuses the conflicting key', () => {
    const output = execFileSync('npm', ['run', '--silent', 'demo'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(output).toContain('order-1 again with the same key → created: false, same operation: true');
    expect(output).toContain('IDEMPOTENCY_CONFLICT (HTTP 422)');
    expect(output).toMatch(/wal {6}order-2 attempt 1 → retry in \d+ ms \(503 Service Unavailable\), same key/);
    expect(output).toContain('finalize order-2 attempt 2 → SUCCEEDED');
    expect(output).toContain('finalize order-3 attempt 1 → FAILED');
    expect(output).toContain('gateway: 4 calls, 2 charges — one per idempotency key');
  });
});
