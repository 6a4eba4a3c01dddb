import { AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { findVariable } from '../analysis/fresh-value.js';
import { isModuleIn, packageNameOf } from '../analysis/model-package.js';
import {
  getSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModel,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { calleeName, calleeText } from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

interface RequireIdempotencyKeyOptions extends SafecallModelOptions {
  keyName?: string;
  acceptMethods?: string[];
  acceptReceivers?: string[];
}

type Options = [RequireIdempotencyKeyOptions];
type MessageIds = 'commandWithoutKey' | 'acceptWithoutKey' | 'addKey';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;
type CommandDeclaration = TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration | ClassLike;

interface Settings {
  readonly keyName: string;
  readonly acceptMethods: readonly string[];
  readonly acceptReceivers: readonly string[];
  readonly model: SafecallModel;
  readonly checker: ts.TypeChecker | undefined;
  readonly services: ReturnType<typeof ESLintUtils.getParserServices>;
}

export default createRule<Options, MessageIds>({
  name: 'require-idempotency-key',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every command and every accepted operation to carry an idempotency key',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    hasSuggestions: true,
    messages: {
      commandWithoutKey:
        "Command '{{command}}' has no `{{key}}`. Without an idempotency key the runtime cannot tell a client's retry from a new request, so a retried payment is charged twice. Extend `Command` or declare `readonly {{key}}: string`.",
      acceptWithoutKey:
        'The command given to `{{callee}}` has no `{{key}}`. Without it a retried request becomes a second operation. Pass the key the client sent (e.g. its Idempotency-Key header) as `{{key}}`.',
      addKey: 'Declare `readonly {{key}}: string`.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          ...safecallModelSchemaProperties,
          keyName: { type: 'string', minLength: 1, description: 'The idempotency key field of a command.' },
          acceptMethods: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            description: 'Methods that accept a command as their second argument.',
          },
          acceptReceivers: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            description: 'Without type information: parts of the receiver name that mark a safecall runtime.',
          },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ keyName: 'idemKey', acceptMethods: ['accept'], acceptReceivers: ['runtime', 'safecall'] }],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context, true);
    const settings: Settings = {
      keyName: options.keyName ?? 'idemKey',
      acceptMethods: options.acceptMethods ?? ['accept'],
      acceptReceivers: options.acceptReceivers ?? ['runtime', 'safecall'],
      model: getSafecallModel(context, options),
      checker: services.program?.getTypeChecker(),
      services,
    };
    return {
      TSInterfaceDeclaration: (node) => checkDeclaration(context, settings, node),
      TSTypeAliasDeclaration: (node) => checkDeclaration(context, settings, node),
      'ClassDeclaration, ClassExpression'(node: ClassLike) {
        checkDeclaration(context, settings, node);
        checkOrchestratorCommand(context, settings, node);
      },
      CallExpression: (node) => checkAcceptCall(context, settings, node),
    };
  },
});

function checkDeclaration(context: Context, settings: Settings, node: CommandDeclaration): void {
  if (declaresKey(node, settings.keyName) || !settings.model.isCommand(node)) return;
  const hasBase = heritageCount(node) > 0;
  // An unseen base may declare the key; only the checker can tell.
  if (hasBase && !(settings.checker && typeLacksKey(settings, node))) return;
  const body = bodyOf(node);
  context.report({
    node: node.id ?? node,
    messageId: 'commandWithoutKey',
    data: { command: node.id?.name ?? 'anonymous command', key: settings.keyName },
    suggest: body ? [keySuggestion(context, settings, body)] : [],
  });
}

/** `class X extends Orchestrator<{ orderId: string }, R>`: a command written inline. */
function checkOrchestratorCommand(context: Context, settings: Settings, node: ClassLike): void {
  const command = settings.model.classify(node);
  const argument = command?.role === 'orchestrator' ? command.typeArguments[0] : undefined;
  if (argument?.type !== AST_NODE_TYPES.TSTypeLiteral || literalDeclaresKey(argument.members, settings.keyName)) return;
  context.report({
    node: argument,
    messageId: 'commandWithoutKey',
    data: { command: `${node.id?.name ?? 'anonymous orchestrator'}'s command`, key: settings.keyName },
    suggest: [keySuggestion(context, settings, argument)],
  });
}

function checkAcceptCall(context: Context, settings: Settings, call: TSESTree.CallExpression): void {
  const method = calleeName(call.callee);
  const command = call.arguments[1];
  if (method === undefined || !settings.acceptMethods.includes(method) || !command) return;
  if (call.callee.type !== AST_NODE_TYPES.MemberExpression || command.type === AST_NODE_TYPES.SpreadElement) return;
  const receiver = call.callee.object;
  if (!(settings.checker ? isRuntimeReceiver(settings, receiver) : hasRuntimeName(settings, receiver))) return;
  if (!commandLacksKey(context, settings, command)) return;
  context.report({
    node: command,
    messageId: 'acceptWithoutKey',
    data: { callee: calleeText(call.callee), key: settings.keyName },
  });
}

function commandLacksKey(context: Context, settings: Settings, argument: TSESTree.Expression): boolean {
  const command = withoutTypeAssertions(argument);
  const literal = objectLiteralOf(context, command);
  if (literal) {
    const spreads = literal.properties.some((property) => property.type === AST_NODE_TYPES.SpreadElement);
    if (objectDeclaresKey(literal, settings.keyName)) return false;
    if (!spreads) return true;
  }
  return settings.checker !== undefined && typeLacksKey(settings, command);
}

/** `cmd as ChargeCommand`, `cmd satisfies ChargeCommand`, `cmd!`: the value is what counts. */
function withoutTypeAssertions(node: TSESTree.Expression): TSESTree.Expression {
  if (
    node.type === AST_NODE_TYPES.TSAsExpression ||
    node.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    node.type === AST_NODE_TYPES.TSNonNullExpression
  ) {
    return withoutTypeAssertions(node.expression);
  }
  return node;
}

/** The object literal a command is: written inline, or a local `const` initialised with one. */
function objectLiteralOf(context: Context, expression: TSESTree.Expression): TSESTree.ObjectExpression | undefined {
  if (expression.type === AST_NODE_TYPES.ObjectExpression) return expression;
  if (expression.type !== AST_NODE_TYPES.Identifier) return undefined;
  const variable = findVariable(context.sourceCode.getScope(expression), expression.name);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  const declarator = definition?.node.type === AST_NODE_TYPES.VariableDeclarator ? definition.node : undefined;
  if (declarator?.parent.kind !== 'const' || !declarator.init) return undefined;
  return declarator.init.type === AST_NODE_TYPES.ObjectExpression ? declarator.init : undefined;
}

function objectDeclaresKey(literal: TSESTree.ObjectExpression, keyName: string): boolean {
  return literal.properties.some(
    (property) => property.type === AST_NODE_TYPES.Property && staticKeyName(property.key, property.computed) === keyName,
  );
}

function declaresKey(node: CommandDeclaration, keyName: string): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.TSInterfaceDeclaration:
      return literalDeclaresKey(node.body.body, keyName);
    case AST_NODE_TYPES.TSTypeAliasDeclaration:
      return typeLiteralsOf(node.typeAnnotation).some((literal) => literalDeclaresKey(literal.members, keyName));
    default:
      return node.body.body.some(
        (member) =>
          (member.type === AST_NODE_TYPES.PropertyDefinition && staticKeyName(member.key, member.computed) === keyName) ||
          (member.type === AST_NODE_TYPES.MethodDefinition &&
            member.kind === 'constructor' &&
            member.value.params.some((param) => param.type === AST_NODE_TYPES.TSParameterProperty && parameterName(param) === keyName)),
      );
  }
}

function literalDeclaresKey(members: readonly TSESTree.TypeElement[], keyName: string): boolean {
  return members.some(
    (member) => member.type === AST_NODE_TYPES.TSPropertySignature && staticKeyName(member.key, member.computed) === keyName,
  );
}

function typeLiteralsOf(node: TSESTree.TypeNode): TSESTree.TSTypeLiteral[] {
  if (node.type === AST_NODE_TYPES.TSTypeLiteral) return [node];
  if (node.type === AST_NODE_TYPES.TSIntersectionType) return node.types.flatMap(typeLiteralsOf);
  if (node.type === AST_NODE_TYPES.TSTypeReference && node.typeArguments?.params.length === 1) {
    return typeLiteralsOf(node.typeArguments.params[0]!);
  }
  return [];
}

/** How many other types a declaration builds on (those may declare the key). */
function heritageCount(node: CommandDeclaration): number {
  switch (node.type) {
    case AST_NODE_TYPES.TSInterfaceDeclaration:
      return node.extends.length;
    case AST_NODE_TYPES.TSTypeAliasDeclaration:
      return node.typeAnnotation.type === AST_NODE_TYPES.TSTypeLiteral ? 0 : 1;
    default:
      return (node.superClass ? 1 : 0) + node.implements.length;
  }
}

function bodyOf(node: CommandDeclaration): TSESTree.TSInterfaceBody | TSESTree.TSTypeLiteral | TSESTree.ClassBody | undefined {
  if (node.type === AST_NODE_TYPES.TSInterfaceDeclaration) return node.body;
  if (node.type === AST_NODE_TYPES.TSTypeAliasDeclaration) return typeLiteralsOf(node.typeAnnotation)[0];
  return node.body;
}

function keySuggestion(
  context: Context,
  settings: Settings,
  body: TSESTree.TSInterfaceBody | TSESTree.TSTypeLiteral | TSESTree.ClassBody,
): TSESLint.SuggestionReportDescriptor<MessageIds> {
  const opening = context.sourceCode.getFirstToken(body)!;
  const separator = body.type === AST_NODE_TYPES.TSTypeLiteral && !context.sourceCode.getText(body).includes('\n') ? ' ' : '\n  ';
  return {
    messageId: 'addKey',
    data: { key: settings.keyName },
    fix: (fixer) => fixer.insertTextAfter(opening, `${separator}readonly ${settings.keyName}: string;`),
  };
}

function typeLacksKey(settings: Settings, node: TSESTree.Node): boolean {
  const checker = settings.checker!;
  const type = checker.getTypeAtLocation(settings.services.esTreeNodeToTSNodeMap.get(node));
  // `any`/`unknown` and type parameters say nothing about the value.
  if ((type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter)) !== 0) return false;
  return checker.getPropertyOfType(type, settings.keyName) === undefined;
}

/** With types: the receiver's type is declared in a runtime module (`Runtime` from `@safecall/runtime`). */
function isRuntimeReceiver(settings: Settings, receiver: TSESTree.Expression): boolean {
  const type = settings.checker!.getTypeAtLocation(settings.services.esTreeNodeToTSNodeMap.get(receiver));
  const declarations = (type.getSymbol() ?? type.aliasSymbol)?.getDeclarations() ?? [];
  return declarations.some((declaration) => {
    const packageName = packageNameOf(declaration.getSourceFile().fileName);
    return packageName !== undefined && isModuleIn(packageName, settings.model.settings.runtimeModules);
  });
}

/** Without types: `runtime.accept(...)`, `this.safecallRuntime.accept(...)`. */
function hasRuntimeName(settings: Settings, receiver: TSESTree.Expression): boolean {
  const lower = calleeName(receiver)?.toLowerCase();
  return lower !== undefined && settings.acceptReceivers.some((part) => lower.includes(part.toLowerCase()));
}

function staticKeyName(key: TSESTree.Node, computed: boolean): string | undefined {
  if (key.type === AST_NODE_TYPES.Identifier && !computed) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === 'string') return key.value;
  return undefined;
}

function parameterName(param: TSESTree.TSParameterProperty): string | undefined {
  const binding = param.parameter.type === AST_NODE_TYPES.AssignmentPattern ? param.parameter.left : param.parameter;
  return binding.type === AST_NODE_TYPES.Identifier ? binding.name : undefined;
}
