import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** What a caller asks an Orchestrator to do. Immutable; `idemKey` identifies the request across retries. */
export interface Command {
  readonly idemKey: string;
}

/** An operation's id: a UUIDv7, so ids sort by creation time. */
export type OpId = string & { readonly __opId: unique symbol };

export function newOpId(): OpId {
  return uuidv7() as OpId;
}

/** What `executeInternal` gets besides the command. */
export interface ExecutionContext {
  readonly opId: OpId;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Pass this to the provider (Idempotency-Key header, SDK option). The same for every attempt of an operation. */
  readonly idempotencyKey: string;
  /** Aborted when the execution timeout passes or the runtime stops; pass it to fetch / the SDK. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The provider-facing key of an operation: stable across attempts, unique per operation. */
export function idempotencyKeyOf(opId: OpId): string {
  return `safecall-${opId}`;
}
