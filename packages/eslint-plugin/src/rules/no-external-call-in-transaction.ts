import { ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';
import {
  callGraphOptionsSchema,
  defaultCallGraphOptions,
  findNetworkPath,
  findNetworkPathFromReference,
  findTransactionWrapper,
  type CallGraphOptions,
} from '../analysis/call-graph.js';
import {
  classifyCallBySyntax,
  defaultExternalCallOptions,
  externalCallOptionsSchema,
  type ExternalCallOptions,
} from '../analysis/external-call.js';
import {
  defaultTransactionScopeOptions,
  calleeText,
  findTransactionScope,
  isFunctionNode,
  isTransactionCall,
  transactionScopeOptionsSchema,
  type TransactionScopeOptions,
  type WrapperOpener,
} from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

type RuleOptions = TransactionScopeOptions & ExternalCallOptions & CallGraphOptions;
type Options = [RuleOptions];
type MessageIds = 'externalCall' | 'externalCallThrough';

export default createRule<Options, MessageIds>({
  name: 'no-external-call-in-transaction',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow network calls (HTTP clients, provider SDKs) inside a database transaction',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    messages: {
      externalCall:
        "'{{callee}}' is a network call ({{packageName}}) inside the transaction opened by {{opener}}. The transaction keeps its locks and its pooled connection for as long as the provider takes, and a rollback cannot take the call back. Make the call before the transaction or after it commits (record the intent in the transaction and send it from an outbox or the runtime's Execute step).",
      externalCallThrough:
        "'{{callee}}' reaches a network call ({{packageName}}) inside the transaction opened by {{opener}}: {{path}}. The transaction keeps its locks and its pooled connection for as long as the provider takes, and a rollback cannot take the call back. Make the call before the transaction or after it commits (record the intent in the transaction and send it from an outbox or the runtime's Execute step).",
    },
    schema: [
      {
        type: 'object',
        properties: { ...transactionScopeOptionsSchema, ...externalCallOptionsSchema, ...callGraphOptionsSchema },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ ...defaultTransactionScopeOptions, ...defaultExternalCallOptions, ...defaultCallGraphOptions }],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context, true);
    const program = services.program ?? undefined;
    // With types, a callback given to the project's own transaction helper (`withTx(async (tx) => …)`) is inside too.
    const wrapperOpener: WrapperOpener | undefined = program
      ? (call, index) => findTransactionWrapper(services.esTreeNodeToTSNodeMap.get(call), index, program, options)
      : undefined;
    return {
      CallExpression(node) {
        if (program) checkCallbackByReference(node);
        const scope = findTransactionScope(node, options, wrapperOpener);
        if (!scope) return;
        const direct = classifyCallBySyntax(node, context.sourceCode, options);
        if (direct) {
          context.report({
            node,
            messageId: 'externalCall',
            data: { callee: direct.displayName, packageName: direct.packageName, opener: scope.openerName },
          });
          return;
        }
        if (!program) return;
        const path = findNetworkPath(services.esTreeNodeToTSNodeMap.get(node), program, options);
        if (!path) return;
        const [callee = ''] = path.steps;
        context.report({
          node,
          messageId: path.steps.length === 1 ? 'externalCall' : 'externalCallThrough',
          data: { callee, packageName: path.value.packageName, opener: scope.openerName, path: path.steps.join(' → ') },
        });
      },
    };

    /** `knex.transaction(insertLines)`: the function handed over by name runs inside the transaction. */
    function checkCallbackByReference(node: TSESTree.CallExpression): void {
      const callback = node.arguments.at(-1);
      if (!callback || isFunctionNode(callback) || !isTransactionCall(node, options)) return;
      const path = findNetworkPathFromReference(services.esTreeNodeToTSNodeMap.get(callback) as ts.Expression, program!, options);
      if (!path) return;
      context.report({
        node: callback,
        messageId: 'externalCallThrough',
        data: {
          callee: path.steps[0] ?? '',
          packageName: path.value.packageName,
          opener: `${calleeText(node.callee)}()`,
          path: path.steps.join(' → '),
        },
      });
    }
  },
});
