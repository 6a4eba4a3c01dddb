import type { StandardSchemaV1 } from '@standard-schema/spec';

/** Base class: every runtime error has a stable `code` to branch on, and a message that says how to fix it. */
export abstract class SafecallError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class PayloadTooLargeError extends SafecallError {
  readonly code = 'PAYLOAD_TOO_LARGE';

  constructor(
    readonly orchestrator: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `Command for "${orchestrator}" is ${bytes} bytes, over the limit of ${maxBytes} bytes; ` +
        `send a reference (an id, a storage URL) instead of the data, or raise maxPayloadBytes on the orchestrator.`,
    );
  }
}

export class ValidationFailedError extends SafecallError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly orchestrator: string,
    readonly issues: readonly StandardSchemaV1.Issue[],
  ) {
    super(
      `Command for "${orchestrator}" failed validation: ` +
        issues.map((issue) => `${formatPath(issue.path)}${issue.message}`).join('; '),
    );
  }
}

export class InvalidCommandError extends SafecallError {
  readonly code = 'INVALID_COMMAND';

  constructor(
    readonly orchestrator: string,
    reason: string,
  ) {
    super(`Command for "${orchestrator}" cannot be stored: ${reason}. Commands must be plain JSON data.`);
  }
}

export class MissingIdemKeyError extends SafecallError {
  readonly code = 'MISSING_IDEM_KEY';

  constructor(
    readonly orchestrator: string,
    readonly received: unknown,
  ) {
    super(
      `Command for "${orchestrator}" has idemKey ${describe(received)}; it needs a non-empty string that ` +
        `identifies the request across retries (e.g. the client's Idempotency-Key header or "order-42:charge").`,
    );
  }
}

export class IdempotencyConflictError extends SafecallError {
  readonly code = 'IDEMPOTENCY_CONFLICT';

  constructor(
    readonly orchestrator: string,
    readonly scope: string,
    readonly idemKey: string,
    readonly existingOpId: string,
  ) {
    super(
      `idemKey "${idemKey}" (orchestrator "${orchestrator}", scope "${scope}") was already used by operation ` +
        `${existingOpId} with a different payload; use a new key for a different request, or resend the same payload.`,
    );
  }
}

export class RateLimitedError extends SafecallError {
  readonly code = 'RATE_LIMITED';

  constructor(
    readonly orchestrator: string,
    readonly retryAfterMs: number,
  ) {
    super(`Too many commands for "${orchestrator}"; retry after ${retryAfterMs} ms or raise its rateLimit.`);
  }
}

export class UnknownOrchestratorError extends SafecallError {
  readonly code = 'UNKNOWN_ORCHESTRATOR';

  constructor(
    readonly orchestrator: string,
    readonly registered: readonly string[],
  ) {
    super(
      `No orchestrator named "${orchestrator}" is registered (registered: ${registered.map((n) => `"${n}"`).join(', ') || 'none'}); ` +
        `call runtime.register(orchestrator, { finalizer, reaper }) first.`,
    );
  }
}

export class RegistrationError extends SafecallError {
  readonly code = 'INVALID_REGISTRATION';
}

export class RuntimeStoppedError extends SafecallError {
  readonly code = 'RUNTIME_STOPPED';

  constructor(action: string) {
    super(`Cannot ${action}: the runtime was stopped; create a new Runtime to accept more work.`);
  }
}

function formatPath(path: StandardSchemaV1.Issue['path']): string {
  if (!path || path.length === 0) return '';
  const keys = path.map((segment) => (typeof segment === 'object' ? segment.key : segment));
  return `${keys.map(String).join('.')}: `;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  return `of type ${value === null ? 'null' : typeof value}`;
}

export class NoProgressError extends SafecallError {
  readonly code = 'NO_PROGRESS';
}
