import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { outcomeReference } from '../analysis/model-outcome.js';
import {
  getSafecallModel,
  safecallModelSchemaProperties,
  type ExecuteInternal,
  type SafecallModel,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { createRule } from '../util/create-rule.js';

type Options = [SafecallModelOptions];
type MessageIds = 'throwInExecute' | 'returnFail';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

/** Callbacks these methods run before they return, so a throw inside them propagates to the caller. */
const synchronousCallbackMethods = new Set([
  'forEach', 'map', 'flatMap', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex',
  'findLast', 'findLastIndex', 'sort', 'toSorted',
]);

export default createRule<Options, MessageIds>({
  name: 'no-throw-in-execute',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow throwing out of executeInternal; return Outcome.retry or Outcome.fail instead',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    hasSuggestions: true,
    messages: {
      throwInExecute:
        '`throw` escapes `executeInternal`. The runtime cannot tell a declined payment from a network blip in an exception, so it records an uncertain attempt; return `Outcome.fail(code, message)` for a permanent failure or `Outcome.retry(reason)` for a transient one.',
      returnFail: 'Return `{{replacement}}` instead of throwing.',
    },
    schema: [{ type: 'object', properties: { ...safecallModelSchemaProperties }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    return {
      ThrowStatement(node) {
        const escape = escapingExecuteInternal(node, model);
        if (escape) reportThrow(context, model, node, escape);
      },
    };
  },
});

/**
 * The executeInternal a throw escapes from, if it does: not caught by a `try` on the way out, and not
 * inside a nested function that runs later (a callback of its own, a handler), except callbacks that
 * run synchronously in place (`items.forEach(...)`, `new Promise(executor)`), whose throw propagates.
 */
function escapingExecuteInternal(node: TSESTree.ThrowStatement, model: SafecallModel): { found: ExecuteInternal; direct: boolean } | undefined {
  let direct = true;
  for (let child: TSESTree.Node = node, parent: TSESTree.Node | undefined = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === AST_NODE_TYPES.TryStatement && parent.block === child && parent.handler) return undefined;
    if (isFunction(child)) {
      const found = model.executeInternalOfFunction(child);
      if (found) return { found, direct };
      if (!runsInPlace(child)) return undefined;
      direct = false;
    }
  }
  return undefined;
}

function isFunction(node: TSESTree.Node): node is TSESTree.FunctionLike {
  return (
    node.type === AST_NODE_TYPES.FunctionExpression ||
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration
  );
}

function runsInPlace(fn: TSESTree.Node): boolean {
  const call = fn.parent;
  if (call?.type === AST_NODE_TYPES.NewExpression) {
    return call.callee.type === AST_NODE_TYPES.Identifier && call.callee.name === 'Promise' && call.arguments[0] === fn;
  }
  if (call?.type !== AST_NODE_TYPES.CallExpression || !call.arguments.includes(fn as TSESTree.CallExpressionArgument)) return false;
  const callee = call.callee;
  return (
    callee.type === AST_NODE_TYPES.MemberExpression &&
    !callee.computed &&
    callee.property.type === AST_NODE_TYPES.Identifier &&
    synchronousCallbackMethods.has(callee.property.name)
  );
}

function reportThrow(context: Context, model: SafecallModel, node: TSESTree.ThrowStatement, escape: { direct: boolean }): void {
  // Only a throw in executeInternal's own body can become a `return`; in a callback it would return from the callback.
  const suggest: TSESLint.SuggestionReportDescriptor<MessageIds>[] = [];
  if (escape.direct) {
    const outcome = outcomeReference(node, context.sourceCode, model.settings);
    const replacement = `${outcome.name}.fail(${failArguments(node.argument, context.sourceCode)})`;
    suggest.push({
      messageId: 'returnFail',
      data: { replacement },
      *fix(fixer) {
        yield fixer.replaceText(node, `return ${replacement};`);
        if (outcome.addImport) yield outcome.addImport(fixer);
      },
    });
  }
  context.report({ node, messageId: 'throwInExecute', suggest });
}

/** `new CardDeclinedError(msg)` → `'CARD_DECLINED', msg`; `throw e` → `'FAILED', String(e)`. */
function failArguments(argument: TSESTree.Expression, sourceCode: TSESLint.SourceCode): string {
  if (argument.type === AST_NODE_TYPES.NewExpression || argument.type === AST_NODE_TYPES.CallExpression) {
    const name = argument.callee.type === AST_NODE_TYPES.Identifier ? argument.callee.name : undefined;
    const message = argument.arguments[0];
    const messageText = message && message.type !== AST_NODE_TYPES.SpreadElement ? sourceCode.getText(message) : `'${name ?? 'Error'}'`;
    return `'${failureCode(name)}', ${messageText}`;
  }
  return `'FAILED', String(${sourceCode.getText(argument)})`;
}

function failureCode(errorName: string | undefined): string {
  const base = errorName?.replace(/Error$|Exception$/, '') ?? '';
  if (base === '' || base === 'Type' || base === 'Range') return 'FAILED';
  return base.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
