export { Outcome, type Ok, type Retry, type Fail, type OutcomeHandlers } from './outcome.js';
export { newOpId, idempotencyKeyOf, type Command, type OpId, type ExecutionContext } from './command.js';
export {
  Orchestrator,
  Finalizer,
  Reaper,
  type AnyOrchestrator,
  type CommandOf,
  type ResultOf,
  type OrchestratorOptions,
  type ResolvedOrchestratorOptions,
  type RateLimit,
  type FinalizeRecord,
  type FinalizedOutcome,
  type ReconcileRequest,
  type ExpiredLease,
  type ExpiredLeaseDecision,
} from './orchestrator.js';
export { Runtime, type RuntimeOptions, type StopOptions, type Operation } from './runtime.js';
export type { AcceptOptions, AcceptResult } from './accept.js';
export { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, backoffCeiling, backoffDelay, type BackoffPolicy } from './backoff.js';
export { systemClock, ManualClock, seededRandom, type Clock, type RandomSource } from './clock.js';
export { consoleLogger, silentLogger, type Logger, type LogFields } from './logger.js';
export type {
  LifecycleObserver,
  AcceptedEvent,
  ClaimedEvent,
  ExecutingEvent,
  WalEvent,
  FinalizedEvent,
  ReapedEvent,
} from './observer.js';
export {
  SafecallError,
  PayloadTooLargeError,
  ValidationFailedError,
  InvalidCommandError,
  MissingIdemKeyError,
  IdempotencyConflictError,
  RateLimitedError,
  UnknownOrchestratorError,
  RegistrationError,
  RuntimeStoppedError,
  NoProgressError,
} from './errors.js';
export { operationUpdateFor, type OperationUpdate } from './wal.js';
export {
  TERMINAL_STATES,
  type Store,
  type OperationState,
  type WalState,
  type StoredOutcome,
  type NewOperation,
  type OperationRow,
  type InsertOperationResult,
  type ClaimRequest,
  type WalKey,
  type NewWalEntry,
  type WalEntry,
  type FinalizeHook,
  type FinalizeStatus,
  type FinalizeResult,
  type ListOperationsQuery,
} from './store/store.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite.js';
export { PostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.js';
