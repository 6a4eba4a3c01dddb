import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import {
  getSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { createRule } from '../util/create-rule.js';

type Options = [SafecallModelOptions];
type MessageIds = 'mutableField' | 'mutableCollection' | 'setter';

/** Mutable collection types and their read-only counterparts. */
const readonlyCounterparts: Readonly<Record<string, string>> = {
  Array: 'ReadonlyArray',
  Map: 'ReadonlyMap',
  Set: 'ReadonlySet',
};
const readonlyWrappers = new Set(['Readonly', 'ReadonlyArray', 'ReadonlyMap', 'ReadonlySet']);

type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;
type TypeMember = TSESTree.TypeElement;

export default createRule<Options, MessageIds>({
  name: 'immutable-command',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require command fields to be readonly, without setters or mutable collections',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    fixable: 'code',
    messages: {
      mutableField:
        "Command field '{{name}}' of '{{command}}' is not readonly. A command is the record of what was accepted under its idempotency key; changing it afterwards makes retries and recovery act on something else. Mark it `readonly`.",
      mutableCollection:
        "Command field '{{name}}' of '{{command}}' is a mutable {{collection}}, which can still be changed in place even behind `readonly`. Use `{{replacement}}`.",
      setter:
        "Command '{{command}}' has a setter '{{name}}'. A command must not change once built; remove the setter and build a new command with the new value.",
    },
    schema: [
      {
        type: 'object',
        properties: { ...safecallModelSchemaProperties },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    return {
      TSInterfaceDeclaration(node) {
        if (node.body.body.length > 0 && model.isCommand(node)) {
          checkMembers(context, node.body.body, node.id.name, false);
        }
      },
      TSTypeAliasDeclaration(node) {
        if (containsTypeLiteral(node.typeAnnotation) && model.isCommand(node)) {
          checkType(context, node.typeAnnotation, node.id.name, node.id.name);
        }
      },
      'ClassDeclaration, ClassExpression'(node: ClassLike) {
        if (node.body.body.length > 0 && model.isCommand(node)) checkClass(context, node);
      },
    };
  },
});

function containsTypeLiteral(node: TSESTree.TypeNode): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.TSTypeLiteral:
      return true;
    case AST_NODE_TYPES.TSIntersectionType:
    case AST_NODE_TYPES.TSUnionType:
      return node.types.some(containsTypeLiteral);
    case AST_NODE_TYPES.TSTypeReference:
      return node.typeName.type === AST_NODE_TYPES.Identifier && node.typeName.name === 'Readonly';
    default:
      return false;
  }
}

/** Fields of an interface or type literal; `readonlyByWrapper` when inside `Readonly<...>`, which marks them all. */
function checkMembers(context: Context, members: readonly TypeMember[], command: string, readonlyByWrapper: boolean): void {
  for (const member of members) {
    switch (member.type) {
      case AST_NODE_TYPES.TSPropertySignature: {
        const name = memberName(context, member.key, member.computed);
        if (!member.readonly && !readonlyByWrapper) reportMutableField(context, member, name, command, member);
        if (member.typeAnnotation) checkType(context, member.typeAnnotation.typeAnnotation, name, command);
        break;
      }
      case AST_NODE_TYPES.TSIndexSignature: {
        const name = `[${member.parameters.map((parameter) => context.sourceCode.getText(parameter)).join(', ')}]`;
        if (!member.readonly && !readonlyByWrapper) reportMutableField(context, member, name, command, member);
        if (member.typeAnnotation) checkType(context, member.typeAnnotation.typeAnnotation, name, command);
        break;
      }
      case AST_NODE_TYPES.TSMethodSignature:
        if (member.kind === 'set') reportSetter(context, member, memberName(context, member.key, member.computed), command);
        break;
      default:
        break;
    }
  }
}

/** The type of a command field: nested object types, and collections that stay mutable behind `readonly`. */
function checkType(context: Context, node: TSESTree.TypeNode, field: string, command: string): void {
  switch (node.type) {
    case AST_NODE_TYPES.TSTypeLiteral:
      checkMembers(context, node.members, command, false);
      return;
    case AST_NODE_TYPES.TSUnionType:
    case AST_NODE_TYPES.TSIntersectionType:
      for (const type of node.types) checkType(context, type, field, command);
      return;
    case AST_NODE_TYPES.TSArrayType:
      reportCollection(context, node, field, command, 'array', `readonly ${context.sourceCode.getText(node)}`);
      checkType(context, node.elementType, field, command);
      return;
    case AST_NODE_TYPES.TSTupleType:
      reportCollection(context, node, field, command, 'tuple', `readonly ${context.sourceCode.getText(node)}`);
      for (const element of node.elementTypes) checkType(context, element, field, command);
      return;
    case AST_NODE_TYPES.TSTypeOperator:
      // `readonly T[]`: the array itself is fine, its elements are still checked.
      if (node.operator === 'readonly' && node.typeAnnotation) checkElementsOf(context, node.typeAnnotation, field, command);
      return;
    case AST_NODE_TYPES.TSTypeReference:
      checkTypeReference(context, node, field, command);
      return;
    default:
      return;
  }
}

function checkElementsOf(context: Context, node: TSESTree.TypeNode, field: string, command: string): void {
  if (node.type === AST_NODE_TYPES.TSArrayType) checkType(context, node.elementType, field, command);
  else if (node.type === AST_NODE_TYPES.TSTupleType) for (const element of node.elementTypes) checkType(context, element, field, command);
}

function checkTypeReference(context: Context, node: TSESTree.TSTypeReference, field: string, command: string): void {
  const name = node.typeName.type === AST_NODE_TYPES.Identifier ? node.typeName.name : undefined;
  const typeArguments = node.typeArguments?.params ?? [];
  const replacement = name === undefined ? undefined : readonlyCounterparts[name];
  if (replacement !== undefined) {
    const args = typeArguments.map((argument) => context.sourceCode.getText(argument)).join(', ');
    reportCollection(context, node, field, command, name!, `${replacement}<${args}>`);
  }
  if (name === 'Readonly' && typeArguments[0]?.type === AST_NODE_TYPES.TSTypeLiteral) {
    checkMembers(context, typeArguments[0].members, command, true);
    return;
  }
  if (replacement !== undefined || (name !== undefined && readonlyWrappers.has(name))) {
    for (const argument of typeArguments) checkType(context, argument, field, command);
  }
}

function checkClass(context: Context, node: ClassLike): void {
  const command = node.id?.name ?? 'anonymous command class';
  for (const member of node.body.body) {
    if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.static) {
      const name = memberName(context, member.key, member.computed);
      const insertAt = member.computed ? context.sourceCode.getTokenBefore(member.key)! : member.key;
      if (!member.readonly) reportMutableField(context, member, name, command, insertAt);
      if (member.typeAnnotation) checkType(context, member.typeAnnotation.typeAnnotation, name, command);
    } else if (member.type === AST_NODE_TYPES.MethodDefinition && member.kind === 'set') {
      reportSetter(context, member, memberName(context, member.key, member.computed), command);
    } else if (member.type === AST_NODE_TYPES.MethodDefinition && member.kind === 'constructor') {
      checkParameterProperties(context, member.value.params, command);
    }
  }
}

/** `constructor(public amount: number)` declares a field too. */
function checkParameterProperties(context: Context, params: readonly TSESTree.Parameter[], command: string): void {
  for (const param of params) {
    if (param.type !== AST_NODE_TYPES.TSParameterProperty) continue;
    const binding = param.parameter.type === AST_NODE_TYPES.AssignmentPattern ? param.parameter.left : param.parameter;
    const name = binding.type === AST_NODE_TYPES.Identifier ? binding.name : context.sourceCode.getText(binding);
    if (!param.readonly) reportMutableField(context, param, name, command, param.parameter);
    if (binding.type === AST_NODE_TYPES.Identifier && binding.typeAnnotation) {
      checkType(context, binding.typeAnnotation.typeAnnotation, name, command);
    }
  }
}

function memberName(context: Context, key: TSESTree.Node, computed: boolean): string {
  if (!computed && key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (key.type === AST_NODE_TYPES.Literal) return String(key.value);
  return `[${context.sourceCode.getText(key)}]`;
}

function reportMutableField(
  context: Context,
  node: TSESTree.Node,
  name: string,
  command: string,
  insertBefore: TSESTree.Node | TSESTree.Token,
): void {
  context.report({
    node,
    messageId: 'mutableField',
    data: { name, command },
    fix: (fixer) => fixer.insertTextBefore(insertBefore, 'readonly '),
  });
}

function reportCollection(
  context: Context,
  node: TSESTree.TypeNode,
  name: string,
  command: string,
  collection: string,
  replacement: string,
): void {
  // An array of arrays: the inner one needs parentheses to take `readonly`.
  const text = node.parent?.type === AST_NODE_TYPES.TSArrayType && replacement.startsWith('readonly ') ? `(${replacement})` : replacement;
  context.report({
    node,
    messageId: 'mutableCollection',
    data: { name, command, collection, replacement },
    fix: (fixer) => fixer.replaceText(node, text),
  });
}

function reportSetter(context: Context, node: TSESTree.Node, name: string, command: string): void {
  context.report({ node, messageId: 'setter', data: { name, command } });
}
