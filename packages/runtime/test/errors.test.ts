import { describe, expect, it } from 'vitest';
import {
  IdempotencyConflictError,
  InvalidCommandError,
  MissingIdemKeyError,
  NoProgressError,
  PayloadTooLargeError,
  RateLimitedError,
  RegistrationError,
  RuntimeStoppedError,
  SafecallError,
  UnknownOrchestratorError,
  ValidationFailedError,
} from '@safecall/runtime';

describe('errors', () => {
  const errors: Array<[SafecallError, string, RegExp]> = [
    [new PayloadTooLargeError('payment', 70_000, 65_536), 'PAYLOAD_TOO_LARGE', /70000 bytes, over the limit of 65536 bytes; send a reference/],
    [
      new ValidationFailedError('payment', [{ message: 'Required', path: ['customer', { key: 'email' }] }, { message: 'Bad command' }]),
      'VALIDATION_FAILED',
      /failed validation: customer\.email: Required; Bad command$/,
    ],
    [new InvalidCommandError('payment', '"amount" is a bigint'), 'INVALID_COMMAND', /"amount" is a bigint\. Commands must be plain JSON data/],
    [new MissingIdemKeyError('payment', undefined), 'MISSING_IDEM_KEY', /has idemKey missing; it needs a non-empty string/],
    [new MissingIdemKeyError('payment', 42), 'MISSING_IDEM_KEY', /has idemKey of type number/],
    [
      new IdempotencyConflictError('payment', 'tenant-1', 'order-42', '0190-op'),
      'IDEMPOTENCY_CONFLICT',
      /idemKey "order-42" \(orchestrator "payment", scope "tenant-1"\) was already used by operation 0190-op with a different payload/,
    ],
    [new RateLimitedError('payment', 250), 'RATE_LIMITED', /retry after 250 ms or raise its rateLimit/],
    [new UnknownOrchestratorError('refund', []), 'UNKNOWN_ORCHESTRATOR', /"refund" is registered \(registered: none\)/],
    [new RegistrationError('a Finalizer is required'), 'INVALID_REGISTRATION', /a Finalizer is required/],
    [new RuntimeStoppedError('accept'), 'RUNTIME_STOPPED', /Cannot accept: the runtime was stopped/],
    [new NoProgressError('stuck'), 'NO_PROGRESS', /stuck/],
  ];

  it.each(errors)('%s has a stable code and a message that names the value and the fix', (error, code, message) => {
    expect(error).toBeInstanceOf(SafecallError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
    expect(error.message).toMatch(message);
  });

  it('every code is distinct', () => {
    const codes = errors.filter(([e]) => !(e instanceof MissingIdemKeyError && e.received === 42)).map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps the details a caller needs as fields', () => {
    expect(new RateLimitedError('payment', 250).retryAfterMs).toBe(250);
    expect(new IdempotencyConflictError('payment', '', 'k', 'op-1').existingOpId).toBe('op-1');
    expect(new ValidationFailedError('payment', [{ message: 'x' }]).issues).toEqual([{ message: 'x' }]);
  });
});
