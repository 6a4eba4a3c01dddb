import { createHash } from 'node:crypto';
import { newOpId, type Command, type OpId } from './command.js';
import { notify, registeredNames, type Registration, type RuntimeContext } from './context.js';
import {
  IdempotencyConflictError,
  InvalidCommandError,
  MissingIdemKeyError,
  PayloadTooLargeError,
  RateLimitedError,
  UnknownOrchestratorError,
  ValidationFailedError,
} from './errors.js';
import { inSpan } from './telemetry.js';

export interface AcceptOptions {
  /** Namespace for idemKeys, e.g. a tenant or account id; keys are unique per (orchestrator, scope). Default ''. */
  readonly scope?: string;
}

export interface AcceptResult {
  readonly opId: OpId;
  /** false: the key was seen before with the same payload and this is the earlier operation. */
  readonly created: boolean;
}

/**
 * Accept: validate, rate-limit, then INSERT under UNIQUE(orchestrator, scope, idem_key). Every refusal
 * throws before the insert, so nothing is written for a refused command.
 */
export async function acceptOperation<Tx>(
  context: RuntimeContext<Tx>,
  name: string,
  cmd: Command,
  options: AcceptOptions = {},
): Promise<AcceptResult> {
  const registration = findRegistration(context, name);
  const scope = options.scope ?? '';
  if (typeof scope !== 'string') throw new TypeError(`accept: scope must be a string, got ${typeof scope}`);
  const idemKey = (cmd as Partial<Command> | null | undefined)?.idemKey;
  if (typeof idemKey !== 'string' || idemKey.trim() === '') throw new MissingIdemKeyError(name, idemKey);

  const command = await validateCommand(registration, cmd);
  const payload = canonicalJson(name, command);
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes > registration.orchestrator.options.maxPayloadBytes) {
    throw new PayloadTooLargeError(name, bytes, registration.orchestrator.options.maxPayloadBytes);
  }
  const payloadHash = createHash('sha256').update(payload).digest('hex');

  const now = context.clock.now();
  const retryAfterMs = registration.limiter?.take(now) ?? 0;
  if (retryAfterMs > 0) throw new RateLimitedError(name, retryAfterMs);

  return inSpan(context.telemetry.tracer, 'safecall.accept', { 'safecall.orchestrator': name }, async (span) => {
    const { created, operation } = await context.store.insertOperation({
      opId: newOpId(),
      orchestrator: name,
      scope,
      idemKey,
      payload,
      payloadHash,
      now,
    });
    if (!created && operation.payloadHash !== payloadHash) {
      throw new IdempotencyConflictError(name, scope, idemKey, operation.opId);
    }
    span.setAttribute('safecall.op_id', operation.opId);
    context.telemetry.accepted.add(1, { orchestrator: name, created });
    notify(context, 'accepted', { opId: operation.opId, orchestrator: name, scope, idemKey, created });
    return { opId: operation.opId as OpId, created };
  });
}

export function findRegistration<Tx>(context: RuntimeContext<Tx>, name: string): Registration<Tx> {
  const registration = context.registrations.get(name);
  if (!registration) throw new UnknownOrchestratorError(name, registeredNames(context));
  return registration;
}

async function validateCommand<Tx>(registration: Registration<Tx>, cmd: Command): Promise<unknown> {
  const validator = registration.orchestrator.options.validator;
  if (!validator) return cmd;
  const result = await validator['~standard'].validate(cmd);
  if (result.issues) throw new ValidationFailedError(registration.orchestrator.name, result.issues);
  return result.value;
}

/** JSON with object keys sorted, so equal commands hash equally whatever order their keys were built in. */
export function canonicalJson(name: string, value: unknown): string {
  return JSON.stringify(value, (key, member: unknown) => {
    const at = key === '' ? 'the command' : `"${key}"`;
    switch (typeof member) {
      case 'bigint':
      case 'function':
      case 'symbol':
        throw new InvalidCommandError(name, `${at} is a ${typeof member}`);
      case 'number':
        if (!Number.isFinite(member)) throw new InvalidCommandError(name, `${at} is ${member}`);
        return member;
      case 'object':
        if (member === null || Array.isArray(member)) return member;
        return Object.fromEntries(
          Object.keys(member)
            .sort()
            .map((k) => [k, (member as Record<string, unknown>)[k]]),
        );
      default:
        return member;
    }
  });
}
