import { AST_NODE_TYPES, type ParserServices, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { displayNameOf, operationOfSdkCall, type ExternalOperation } from './external-call.js';
import { findVariable } from './fresh-value.js';
import { propertyName } from './transaction-scope.js';
import { keyName } from './model-ast.js';

/**
 * A call on a gateway or port: the object an orchestrator reaches its provider through
 * (`this.gateway.charge(...)`, `this.paymentPort.capture(...)`, `const client = this.smsClient;
 * client.send(...)`). The receiver counts when the last word of one of its names — the field, a
 * variable it was copied into, or its declared type — is a gateway word (`paymentGateway`,
 * `StripeClient`, `NotificationProvider`, `PaymentPort`), plurals included (`this.providers.get(x).send()`).
 */

/** Last words of a field, variable or type name that mark a gateway or port. */
export const defaultGatewayWords: readonly string[] = [
  'gateway',
  'client',
  'provider',
  'api',
  'sdk',
  'port',
  'adapter',
  'connector',
  'transport',
  'transporter',
  'mailer',
  'sender',
  'notifier',
  'http',
];

export const gatewayWordsSchema = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
  description: 'Last words of a field, variable or type name that mark a gateway or port (case-insensitive, plurals included).',
} as const;

export interface GatewayCall {
  /** How the call reads, without `this.`: `gateway.charge`. */
  readonly displayName: string;
  readonly operation: ExternalOperation;
  readonly mutates: boolean;
}

// Methods of collections and functions: `this.providers.forEach(...)` iterates, it calls no provider.
const collectionMethods = new Set([
  'forEach', 'map', 'filter', 'reduce', 'flatMap', 'some', 'every', 'includes', 'indexOf', 'push', 'pop', 'shift',
  'unshift', 'splice', 'slice', 'concat', 'join', 'sort', 'keys', 'values', 'entries', 'has', 'bind', 'call', 'apply',
  'then', 'catch', 'finally', 'toString', 'toJSON', 'valueOf',
]);
const maxHops = 6;

/** The last word of a camelCase, PascalCase or snake_case name: `paymentGateway` → `gateway`, `HTTPClient` → `client`. */
export function lastWordOf(name: string): string {
  const words = name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_$#-]+/)
    .filter((word) => word !== '');
  return (words.at(-1) ?? '').toLowerCase();
}

export function isGatewayName(name: string, gatewayWords: readonly string[]): boolean {
  const word = lastWordOf(name);
  return gatewayWords.some((candidate) => {
    const lower = candidate.toLowerCase();
    return word === lower || word === `${lower}s`;
  });
}

/**
 * Whether a call is made on a gateway or port, by the names (and, with type information, the types)
 * of its receiver. Methods in `localMethods` (`on`, `use`, ...) and collection methods are no calls to a provider.
 */
export function classifyGatewayCall(
  call: TSESTree.CallExpression,
  sourceCode: TSESLint.SourceCode,
  options: { readonly gatewayWords: readonly string[]; readonly localMethods: readonly string[] },
  services?: Partial<ParserServices>,
): GatewayCall | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = propertyName(callee);
  if (method === undefined || collectionMethods.has(method) || options.localMethods.includes(method)) return undefined;
  const isGateway = (name: string | undefined): boolean => name !== undefined && isGatewayName(name, options.gatewayWords);
  if (!receiverNames(callee.object, sourceCode, 0).some(isGateway) && !typeNamesOf(callee.object, services).some(isGateway)) {
    return undefined;
  }
  const operation = operationOfSdkCall(method, call);
  return { displayName: displayNameOf(callee), operation, mutates: operation !== 'read' };
}

/** The names a receiver is known by: `this.deps.paymentGateway` → `paymentGateway`, `deps`; a local copy's name and its source's. */
function receiverNames(node: TSESTree.Node, sourceCode: TSESLint.SourceCode, hops: number): string[] {
  if (hops > maxHops) return [];
  const current = unwrap(node as TSESTree.Expression);
  switch (current.type) {
    case AST_NODE_TYPES.MemberExpression: {
      const name = propertyName(current);
      const own = name === undefined ? [] : [name, ...declaredTypeNamesOfField(current, name)];
      return [...own, ...receiverNames(current.object, sourceCode, hops + 1)];
    }
    case AST_NODE_TYPES.CallExpression: {
      // `this.providers.get(channel).send(...)`: the collection's name, not the lookup method's.
      const callee = unwrap(current.callee);
      return callee.type === AST_NODE_TYPES.MemberExpression ? receiverNames(callee.object, sourceCode, hops + 1) : [];
    }
    case AST_NODE_TYPES.Identifier:
      return [current.name, ...namesOfBinding(current, sourceCode, hops)];
    default:
      return [];
  }
}

/** `const client = this.smsClient`, `gateway: PaymentGateway` (a parameter or a variable with a type annotation). */
function namesOfBinding(identifier: TSESTree.Identifier, sourceCode: TSESLint.SourceCode, hops: number): string[] {
  const definition = findVariable(sourceCode.getScope(identifier), identifier.name)?.defs[0];
  if (!definition) return [];
  const name = definition.name;
  const annotated = 'typeAnnotation' in name && name.typeAnnotation ? typeReferenceNames(name.typeAnnotation.typeAnnotation) : [];
  const declarator = definition.node;
  if (declarator.type === AST_NODE_TYPES.VariableDeclarator && declarator.id === name && declarator.init) {
    return [...annotated, ...receiverNames(declarator.init, sourceCode, hops + 1)];
  }
  return annotated;
}

/** The declared type of `this.<field>`: a property's annotation or a constructor parameter property's. */
function declaredTypeNamesOfField(member: TSESTree.MemberExpression, field: string): string[] {
  if (member.object.type !== AST_NODE_TYPES.ThisExpression) return [];
  let body: TSESTree.Node | undefined = member.parent;
  while (body && body.type !== AST_NODE_TYPES.ClassBody) body = body.parent;
  if (!body) return [];
  for (const element of body.body) {
    if (element.type === AST_NODE_TYPES.PropertyDefinition && !element.computed && keyName(element.key) === field) {
      return element.typeAnnotation ? typeReferenceNames(element.typeAnnotation.typeAnnotation) : [];
    }
    if (element.type === AST_NODE_TYPES.MethodDefinition && element.kind === 'constructor') {
      for (const parameter of element.value.params) {
        if (parameter.type !== AST_NODE_TYPES.TSParameterProperty) continue;
        const bound = parameter.parameter.type === AST_NODE_TYPES.AssignmentPattern ? parameter.parameter.left : parameter.parameter;
        if (bound.type === AST_NODE_TYPES.Identifier && bound.name === field && bound.typeAnnotation) {
          return typeReferenceNames(bound.typeAnnotation.typeAnnotation);
        }
      }
    }
  }
  return [];
}

/** `PaymentGateway`, `ports.PaymentPort`, `PaymentGateway | undefined`. */
function typeReferenceNames(type: TSESTree.TypeNode): string[] {
  if (type.type === AST_NODE_TYPES.TSUnionType || type.type === AST_NODE_TYPES.TSIntersectionType) {
    return type.types.flatMap(typeReferenceNames);
  }
  if (type.type !== AST_NODE_TYPES.TSTypeReference) return [];
  const name = type.typeName;
  if (name.type === AST_NODE_TYPES.Identifier) return [name.name];
  return name.type === AST_NODE_TYPES.TSQualifiedName ? [name.right.name] : [];
}

/** With type information: the names of the receiver's type (`StripeGateway`, an interface `PaymentPort`), wherever it is declared. */
function typeNamesOf(node: TSESTree.Node, services: Partial<ParserServices> | undefined): string[] {
  const program = services?.program;
  const map = services?.esTreeNodeToTSNodeMap;
  if (!program || !map) return [];
  const type = program.getTypeChecker().getTypeAtLocation(map.get(node));
  const members = type.isUnionOrIntersection() ? type.types : [type];
  return members.flatMap((member) => {
    if (member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
    return [member.getSymbol()?.getName(), member.aliasSymbol?.getName()].filter(
      (name): name is string => name !== undefined && !name.startsWith('__'),
    );
  });
}

function unwrap(expression: TSESTree.Expression): TSESTree.Expression {
  let current = expression;
  while (
    current.type === AST_NODE_TYPES.ChainExpression ||
    current.type === AST_NODE_TYPES.TSNonNullExpression ||
    current.type === AST_NODE_TYPES.TSAsExpression ||
    current.type === AST_NODE_TYPES.AwaitExpression
  ) {
    current = current.type === AST_NODE_TYPES.AwaitExpression ? current.argument : current.expression;
  }
  return current;
}
