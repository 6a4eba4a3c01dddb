import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import {
  EXECUTE_INTERNAL,
  getSafecallModel,
  safecallModelSchemaProperties,
  type ExecuteInternal,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { createRule } from '../util/create-rule.js';

type Options = [SafecallModelOptions];
type MessageIds = 'notAsync';

export default createRule<Options, MessageIds>({
  name: 'execute-must-be-async',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require an Orchestrator\'s executeInternal to be async',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    fixable: 'code',
    messages: {
      notAsync:
        "`executeInternal` of '{{orchestrator}}' is not async. A synchronous throw or a blocking body escapes the runtime's timeout and Outcome handling; declare it `async` and return an Outcome.",
    },
    schema: [{ type: 'object', properties: { ...safecallModelSchemaProperties }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    const check = (fn: TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression) => {
      if (fn.async || fn.generator || !isExecuteInternalValue(fn)) return;
      const found = model.executeInternalOfFunction(fn);
      if (found) reportNotAsync(context, found);
    };
    return { FunctionExpression: check, ArrowFunctionExpression: check };
  },
});

/** Syntax filter before the model: the function is the value of a member named executeInternal. */
function isExecuteInternalValue(fn: TSESTree.Node): boolean {
  const member = fn.parent;
  return (
    (member?.type === AST_NODE_TYPES.MethodDefinition || member?.type === AST_NODE_TYPES.PropertyDefinition) &&
    member.key.type === AST_NODE_TYPES.Identifier &&
    member.key.name === EXECUTE_INTERNAL
  );
}

function reportNotAsync(context: Readonly<TSESLint.RuleContext<MessageIds, Options>>, found: ExecuteInternal): void {
  const { member, fn, classNode } = found;
  context.report({
    node: member.key,
    messageId: 'notAsync',
    data: { orchestrator: classNode.id?.name ?? 'this orchestrator' },
    *fix(fixer) {
      // A method takes `async` before its name (after modifiers); a property's function before itself.
      yield fixer.insertTextBefore(member.type === AST_NODE_TYPES.MethodDefinition ? member.key : fn, 'async ');
      const returnType = fn.returnType?.typeAnnotation;
      if (returnType && !isPromiseType(returnType)) {
        yield fixer.replaceText(returnType, `Promise<${context.sourceCode.getText(returnType)}>`);
      }
    },
  });
}

function isPromiseType(node: TSESTree.TypeNode): boolean {
  return (
    node.type === AST_NODE_TYPES.TSTypeReference &&
    node.typeName.type === AST_NODE_TYPES.Identifier &&
    node.typeName.name === 'Promise'
  );
}
