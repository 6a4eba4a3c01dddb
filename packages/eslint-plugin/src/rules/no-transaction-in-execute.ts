import { ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import {
  callGraphOptionsSchema,
  defaultCallGraphOptions,
  findCallPath,
  type CallGraphOptions,
  type PathSearch,
} from '../analysis/call-graph.js';
import { tsCalleeName, tsCalleeText } from '../analysis/external-call-types.js';
import {
  getSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModel,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import {
  calleeText,
  decoratorName,
  defaultTransactionScopeOptions,
  isTransactionCall,
  isTransactionDecorator,
  transactionScopeOptionsSchema,
  type TransactionScopeOptions,
} from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

type RuleOptions = SafecallModelOptions & TransactionScopeOptions & CallGraphOptions;
type Options = [RuleOptions];
type MessageIds = 'transactionInExecute' | 'transactionThrough' | 'transactionAroundExecute';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

// Callbacks that run after the transaction do not matter here: any transaction in executeInternal is wrong.
const { transactionDecorators, transactionCallees } = transactionScopeOptionsSchema;

const why =
  'executeInternal makes the external call, and the runtime runs it outside any transaction on purpose: a transaction held open across a slow provider call keeps its locks and pooled connection for seconds, and rolling it back cannot undo the call. Write domain state in the Finalizer, which runs in the finalize transaction.';

export default createRule<Options, MessageIds>({
  name: 'no-transaction-in-execute',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow opening a database transaction in or around executeInternal',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    messages: {
      transactionInExecute: `executeInternal of '{{orchestrator}}' opens a transaction with {{opener}}. ${why}`,
      transactionThrough: `executeInternal of '{{orchestrator}}' opens a transaction through {{path}}. ${why}`,
      transactionAroundExecute: `{{opener}} wraps executeInternal of '{{orchestrator}}' in a transaction. ${why}`,
    },
    schema: [
      {
        type: 'object',
        properties: { ...safecallModelSchemaProperties, transactionDecorators, transactionCallees, ...callGraphOptionsSchema },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ ...defaultTransactionScopeOptions, ...defaultCallGraphOptions }],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    const program = ESLintUtils.getParserServices(context, true).program ?? undefined;
    return {
      'ClassDeclaration, ClassExpression'(node: ClassLike) {
        checkDecorators(context, model, options, node);
      },
      CallExpression(node) {
        const execute = model.enclosingExecuteInternal(node);
        if (!execute) return;
        const orchestrator = nameOf(execute.classNode);
        if (isTransactionCall(node, options)) {
          context.report({
            node,
            messageId: 'transactionInExecute',
            data: { orchestrator, opener: `\`${calleeText(node.callee)}()\`` },
          });
        } else if (program) {
          checkCallPath(context, program, options, node, orchestrator);
        }
      },
    };
  },
});

/** `@Transactional()` on executeInternal itself or on the whole orchestrator class. */
function checkDecorators(context: Context, model: SafecallModel, options: RuleOptions, node: ClassLike): void {
  const execute = model.executeInternalOf(node);
  if (!execute) return;
  const decorators = [...node.decorators, ...execute.member.decorators];
  for (const decorator of decorators) {
    if (!isTransactionDecorator(decorator, options)) continue;
    context.report({
      node: decorator,
      messageId: 'transactionAroundExecute',
      data: { orchestrator: nameOf(node), opener: `\`@${decoratorName(decorator)}()\`` },
    });
  }
}

/** With types: a call that reaches a transactional method or a transaction call in the functions it runs. */
function checkCallPath(
  context: Context,
  program: ts.Program,
  options: RuleOptions,
  node: TSESTree.CallExpression,
  orchestrator: string,
): void {
  const services = ESLintUtils.getParserServices(context);
  const path = findCallPath(services.esTreeNodeToTSNodeMap.get(node), program, transactionSearch(options), options);
  if (!path) return;
  context.report({
    node,
    messageId: 'transactionThrough',
    data: { orchestrator, path: `\`${path.steps.join(' → ')}\`` },
  });
}

const searches = new WeakMap<TransactionScopeOptions, PathSearch<true>>();

/** What opens a transaction, seen in the TypeScript AST of other files: a decorator or a transaction call. */
function transactionSearch(options: TransactionScopeOptions): PathSearch<true> {
  let search = searches.get(options);
  if (search === undefined) {
    search = {
      id: `transaction:${JSON.stringify([options.transactionDecorators, options.transactionCallees])}`,
      matchCall(call) {
        const name = tsCalleeName(call.expression);
        return name !== undefined && options.transactionCallees.includes(name)
          ? { label: `${tsCalleeText(call.expression)}()`, value: true }
          : undefined;
      },
      matchFunction(fn) {
        const decorator = transactionDecoratorOf(fn, options);
        return decorator === undefined ? undefined : { label: `@${decorator}()`, value: true };
      },
    };
    searches.set(options, search);
  }
  return search;
}

function transactionDecoratorOf(fn: ts.FunctionLikeDeclaration, options: TransactionScopeOptions): string | undefined {
  const decorators = ts.canHaveDecorators(fn) ? (ts.getDecorators(fn) ?? []) : [];
  for (const decorator of decorators) {
    const expression = ts.isCallExpression(decorator.expression) ? decorator.expression.expression : decorator.expression;
    const name = tsCalleeName(expression);
    if (name !== undefined && options.transactionDecorators.includes(name)) return name;
  }
  return undefined;
}

function nameOf(node: ClassLike): string {
  return node.id?.name ?? 'anonymous orchestrator';
}
