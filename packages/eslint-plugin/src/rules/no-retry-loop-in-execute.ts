import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import {
  defaultRetryOptions,
  enclosingRetryLoop,
  findRetryLoop,
  findRetryRecursion,
  isRetryHelper,
  isSleep,
  localFunctionOf,
  retryOptionsSchemaProperties,
  retryPackageOf,
  type Loop,
  type RetryOptions,
} from '../analysis/model-retry.js';
import { getSafecallModel, safecallModelSchemaProperties, type SafecallModelOptions } from '../analysis/safecall-model.js';
import { isFunctionNode, type FunctionNode } from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

type Options = [SafecallModelOptions & RetryOptions];
type MessageIds = 'retryLoop' | 'retryRecursion' | 'retryHelper' | 'sleep' | 'retryLibrary';

export default createRule<Options, MessageIds>({
  name: 'no-retry-loop-in-execute',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow retry loops, sleeps and retry libraries inside executeInternal; return Outcome.retry instead',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    messages: {
      retryLoop:
        'Hand-rolled retry loop in `executeInternal`. It holds the worker and its lease while it waits, ignores the attempt limit and backoff, and a crash forgets how often it tried; return `Outcome.retry(reason)` from the catch and let the runtime schedule the next attempt.',
      retryRecursion:
        "'{{name}}' retries by calling itself inside `executeInternal`. It holds the worker and its lease while it waits, ignores the attempt limit and backoff, and a crash forgets how often it tried; return `Outcome.retry(reason)` and let the runtime schedule the next attempt.",
      retryHelper:
        "`{{name}}` is a hand-rolled retry helper (it retries the function it is given), called inside `executeInternal`: it multiplies the runtime's own attempts, holds the worker while it waits and hides the attempts from the runtime's records. Call the provider once and return `Outcome.retry(reason)` on a transient failure.",
      sleep:
        '`{{name}}` sleeps inside `executeInternal`, holding the worker and its lease and running into the timeout. Return `Outcome.retry(reason, { afterMs })` to try again later.',
      retryLibrary:
        "`{{name}}` from '{{module}}' retries inside `executeInternal`, multiplying the runtime's own attempts and hiding them from its records. Call the provider once and return `Outcome.retry(reason)` on a transient failure.",
    },
    schema: [
      {
        type: 'object',
        properties: { ...safecallModelSchemaProperties, ...retryOptionsSchemaProperties },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ ...defaultRetryOptions }],
  create(context, [options]) {
    const { sleepFunctions = defaultRetryOptions.sleepFunctions, retryPackages = defaultRetryOptions.retryPackages, ...modelOptions } = options;
    const retry = { sleepFunctions, retryPackages };
    const model = getSafecallModel(context, modelOptions);
    const sourceCode = context.sourceCode;
    // The orchestrator check comes first: it is cheap, and almost no loop in a project is in executeInternal.
    const checkLoop = (loop: Loop) => {
      if (!model.enclosingExecuteInternal(loop)) return;
      const found = findRetryLoop(loop, sourceCode, retry);
      // Waiting for a state without a sleep is reading a stream or an iterator (`while (!done)`), not polling.
      if (found && (found.trigger !== 'state' || found.sleeps.length > 0)) reportLoop(context, loop);
    };
    const checkRecursion = (fn: FunctionNode) => {
      if (model.executeInternalOfFunction(fn) || !model.enclosingExecuteInternal(fn)) return;
      const recursion = findRetryRecursion(fn, sourceCode, retry);
      if (recursion) context.report({ node: recursion.nameNode, messageId: 'retryRecursion', data: { name: recursion.name } });
    };
    // Called only inside executeInternal: the model check is an ancestor walk, the checks below ask the scope.
    const checkSleep = (call: TSESTree.CallExpression | TSESTree.NewExpression) => {
      // A sleep inside a retry loop or a recursive retry is part of it, which is reported once.
      if (!isSleep(call, sourceCode, retry) || enclosingRetryLoop(call, sourceCode, retry) || inRetryRecursion(call)) return;
      context.report({ node: call, messageId: 'sleep', data: { name: calleeText(call, sourceCode) } });
    };
    const inRetryRecursion = (node: TSESTree.Node): boolean => {
      for (let current = node.parent; current && !model.executeInternalOfFunction(current); current = current.parent) {
        if (isFunctionNode(current) && findRetryRecursion(current, sourceCode, retry)) return true;
      }
      return false;
    };
    const checkRetryCall = (call: TSESTree.CallExpression) => {
      const module = retryPackageOf(call, sourceCode, retry);
      if (module) {
        context.report({ node: call.callee, messageId: 'retryLibrary', data: { name: calleeText(call, sourceCode), module } });
        return;
      }
      const helper = localFunctionOf(call.callee, sourceCode);
      if (helper && !isWithin(call, helper) && isRetryHelper(helper, sourceCode, retry)) {
        context.report({ node: call.callee, messageId: 'retryHelper', data: { name: calleeText(call, sourceCode) } });
      }
    };
    return {
      ForStatement: checkLoop,
      WhileStatement: checkLoop,
      DoWhileStatement: checkLoop,
      ForOfStatement: checkLoop,
      ForInStatement: checkLoop,
      'FunctionDeclaration, FunctionExpression, ArrowFunctionExpression': checkRecursion,
      NewExpression(node) {
        if (model.enclosingExecuteInternal(node)) checkSleep(node);
      },
      CallExpression(call) {
        if (!model.enclosingExecuteInternal(call)) return;
        checkSleep(call);
        checkRetryCall(call);
      },
    };
  },
});

function calleeText(call: TSESTree.CallExpression | TSESTree.NewExpression, sourceCode: TSESLint.SourceCode): string {
  return call.type === AST_NODE_TYPES.NewExpression ? 'new Promise(... setTimeout ...)' : sourceCode.getText(call.callee);
}

/** A recursive call inside the helper itself is reported with the helper (retryRecursion), not as a use of it. */
function isWithin(node: TSESTree.Node, ancestor: TSESTree.Node): boolean {
  for (let current: TSESTree.Node | undefined = node.parent; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

/** Reported at the loop keyword, not across the whole body. */
function reportLoop(context: Readonly<TSESLint.RuleContext<MessageIds, Options>>, loop: Loop): void {
  const keyword = context.sourceCode.getFirstToken(loop);
  context.report({ loc: keyword?.loc ?? loop.loc, messageId: 'retryLoop' });
}
