// The registry of rules, one import per rule file. Add yours here in alphabetical order.
import type { TSESLint } from '@typescript-eslint/utils';
import type { SafecallRuleDocs } from '../util/create-rule.js';
import executeMustBeAsync from './execute-must-be-async.js';
import executeReturnsOutcome from './execute-returns-outcome.js';
import forwardIdempotencyKey from './forward-idempotency-key.js';
import immutableCommand from './immutable-command.js';
import lifecycleOrder from './lifecycle-order.js';
import noExternalCallInFinalizer from './no-external-call-in-finalizer.js';
import noRandomIdempotencyKey from './no-random-idempotency-key.js';
import noRetryLoopInExecute from './no-retry-loop-in-execute.js';
import noTransactionInExecute from './no-transaction-in-execute.js';
import noThrowInExecute from './no-throw-in-execute.js';
import orchestratorRequiresRecovery from './orchestrator-requires-recovery.js';
import requireIdempotencyKey from './require-idempotency-key.js';
import requireSdkIdempotencyKey from './require-sdk-idempotency-key.js';
import noExternalCallInTransaction from './no-external-call-in-transaction.js';
import noHandRolledRetry from './no-hand-rolled-retry.js';

/** Any of our rules, with the `meta.docs` fields the presets and the docs test read. */
export type SafecallRule = TSESLint.RuleModule<string, readonly unknown[], SafecallRuleDocs>;

export const rules: Record<string, SafecallRule> = {
  'execute-must-be-async': executeMustBeAsync,
  'execute-returns-outcome': executeReturnsOutcome,
  'forward-idempotency-key': forwardIdempotencyKey,
  'immutable-command': immutableCommand,
  'lifecycle-order': lifecycleOrder,
  'no-external-call-in-finalizer': noExternalCallInFinalizer,
  'no-random-idempotency-key': noRandomIdempotencyKey,
  'no-retry-loop-in-execute': noRetryLoopInExecute,
  'no-transaction-in-execute': noTransactionInExecute,
  'no-throw-in-execute': noThrowInExecute,
  'orchestrator-requires-recovery': orchestratorRequiresRecovery,
  'require-idempotency-key': requireIdempotencyKey,
  'no-external-call-in-transaction': noExternalCallInTransaction,
  'no-hand-rolled-retry': noHandRolledRetry,
  'require-sdk-idempotency-key': requireSdkIdempotencyKey,
};
