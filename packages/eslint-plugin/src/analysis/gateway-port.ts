/**
 * Gateway ports by type: the classes and interfaces an application reaches a provider through
 * (`PaymentGateway`, `EmailGateway`, a class declared in `stripe.gateway.ts`). A call on one is a
 * network call whatever the implementation behind it, so a port is recognised by its type's name
 * (the last word, as gateway-call.ts reads names) or by the file it is declared in (the `*.gateway.ts`
 * layer the architecture rules use), not by what it does inside. Unlike gateway-call.ts, a field's or
 * variable's own name does not count: `this.dbClient` typed `PrismaClient` is no port.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { returnsThenable, skipWrappers } from './external-call-types.js';
import { findVariable } from './fresh-value.js';
import { gatewayWordsSchema, isGatewayName } from './gateway-call.js';
import { propertyName } from './transaction-scope.js';
import { thisFieldSources } from './model-ast.js';

export interface GatewayPortOptions {
  /** A class, interface or type alias whose name's last word is one of these (plurals included) is a gateway port. */
  readonly gatewayWords: readonly string[];
  /** A type declared in (or, without types, imported from) a module whose file name, without extension, ends in one of these is a gateway port. */
  readonly gatewayFileSuffixes: readonly string[];
}

export const defaultGatewayPortOptions: GatewayPortOptions = {
  gatewayWords: ['gateway'],
  gatewayFileSuffixes: ['.gateway'],
};

export const gatewayPortOptionsSchema = {
  gatewayWords: {
    ...gatewayWordsSchema,
    description: 'A type whose name ends in one of these words (case-insensitive, plurals included) is a gateway port.',
  },
  gatewayFileSuffixes: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    uniqueItems: true,
    description: 'A type declared in a module whose file name, without extension, ends in one of these is a gateway port.',
  },
} as const;

/** `./email.gateway.js` → `email.gateway`; `src/ports/sms.gateway.d.ts` → `sms.gateway`. */
export function moduleBaseName(specifierOrFileName: string): string {
  const last = specifierOrFileName.split(/[\\/]/).pop() ?? specifierOrFileName;
  return last.replace(/(\.d)?\.[cm]?[jt]sx?$/, '');
}

function isGatewayModule(specifierOrFileName: string, options: GatewayPortOptions): boolean {
  const base = moduleBaseName(specifierOrFileName);
  return options.gatewayFileSuffixes.some((suffix) => base.endsWith(suffix));
}

function isGatewayTypeName(name: string, options: GatewayPortOptions): boolean {
  return isGatewayName(name, options.gatewayWords);
}

// ---------------------------------------------------------------------------------------------
// Without types: what the file shows.

/**
 * The gateway port a method call is made on, by syntax: the receiver (or a value it is read from,
 * `this.gateway` in `this.gateway.refunds.create()`) is a field of the enclosing class declared with a
 * gateway type or made by `new` of one. Parameters and locals are left to the checker: without it a
 * data type imported from a gateway module (`summary: ChargeSummary`) cannot be told from a port.
 * Returns the port's type name.
 */
export function gatewayPortOfCall(
  call: TSESTree.CallExpression,
  sourceCode: TSESLint.SourceCode,
  options: GatewayPortOptions,
): string | undefined {
  let receiver = unwrap(call.callee);
  while (receiver.type === AST_NODE_TYPES.MemberExpression) {
    receiver = unwrap(receiver.object);
    if (receiver.type === AST_NODE_TYPES.MemberExpression && receiver.object.type === AST_NODE_TYPES.ThisExpression) {
      const port = gatewayPortOfField(receiver, sourceCode, options, 0);
      if (port !== undefined) return port;
    }
  }
  return undefined;
}

const maxHops = 4;

/** A value a field is initialised from: `this.sms = sms` (an annotated parameter), `this.email = this.defaultEmail`. */
function gatewayPortOfValue(
  node: TSESTree.Node,
  sourceCode: TSESLint.SourceCode,
  options: GatewayPortOptions,
  hops: number,
): string | undefined {
  if (hops > maxHops) return undefined;
  if (node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression) {
    return gatewayPortOfField(node, sourceCode, options, hops);
  }
  if (node.type !== AST_NODE_TYPES.Identifier) return undefined;
  const definition = findVariable(sourceCode.getScope(node), node.name)?.defs[0];
  if (!definition) return undefined;
  if (definition.type === 'Parameter') return gatewayPortOfAnnotated(definition.name, sourceCode, options);
  const declarator = definition.node;
  if (declarator.type !== AST_NODE_TYPES.VariableDeclarator || declarator.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  return (
    gatewayPortOfAnnotated(declarator.id, sourceCode, options) ??
    (declarator.init ? gatewayPortOfInitializer(declarator.init, sourceCode, options, hops) : undefined)
  );
}

/** `this.email`: a field's annotation or initialiser, a parameter property, or `this.email = …` in the constructor. */
function gatewayPortOfField(
  member: TSESTree.MemberExpression,
  sourceCode: TSESLint.SourceCode,
  options: GatewayPortOptions,
  hops: number,
): string | undefined {
  const name = propertyName(member);
  if (name === undefined) return undefined;
  for (const source of thisFieldSources(member, name)) {
    const port =
      (source.type ? gatewayPortOfType(source.type, sourceCode, options) : undefined) ??
      (source.value ? gatewayPortOfInitializer(source.value, sourceCode, options, hops) : undefined);
    if (port !== undefined) return port;
  }
  return undefined;
}

/** `new EmailGateway()`, or a value that is itself a port (`this.email = email`). */
function gatewayPortOfInitializer(
  init: TSESTree.Expression,
  sourceCode: TSESLint.SourceCode,
  options: GatewayPortOptions,
  hops: number,
): string | undefined {
  const value = unwrap(init);
  if (value.type === AST_NODE_TYPES.NewExpression) return gatewayPortOfTypeName(value.callee, sourceCode, options);
  return gatewayPortOfValue(value, sourceCode, options, hops + 1);
}

function gatewayPortOfAnnotated(node: TSESTree.Node, sourceCode: TSESLint.SourceCode, options: GatewayPortOptions): string | undefined {
  const annotation = 'typeAnnotation' in node ? node.typeAnnotation : undefined;
  return annotation && annotation.type === AST_NODE_TYPES.TSTypeAnnotation
    ? gatewayPortOfTypeAnnotation(annotation, sourceCode, options)
    : undefined;
}

function gatewayPortOfTypeAnnotation(
  annotation: TSESTree.TSTypeAnnotation | undefined,
  sourceCode: TSESLint.SourceCode,
  options: GatewayPortOptions,
): string | undefined {
  return annotation ? gatewayPortOfType(annotation.typeAnnotation, sourceCode, options) : undefined;
}

/** `EmailGateway`, `EmailGateway | undefined`, `Readonly<EmailGateway>` is not followed (a port is named directly). */
function gatewayPortOfType(type: TSESTree.TypeNode, sourceCode: TSESLint.SourceCode, options: GatewayPortOptions): string | undefined {
  if (type.type === AST_NODE_TYPES.TSUnionType) {
    for (const member of type.types) {
      const port = gatewayPortOfType(member, sourceCode, options);
      if (port !== undefined) return port;
    }
    return undefined;
  }
  return type.type === AST_NODE_TYPES.TSTypeReference ? gatewayPortOfTypeName(type.typeName, sourceCode, options) : undefined;
}

/**
 * A type or class named by an identifier or a qualified name: a port when its own name has a gateway
 * word, or when it is imported from a gateway module (`import { Mailer } from './mail.gateway.js'`,
 * `import * as sms from './sms.gateway.js'` for `sms.Client`).
 */
function gatewayPortOfTypeName(name: TSESTree.Node, sourceCode: TSESLint.SourceCode, options: GatewayPortOptions): string | undefined {
  let rightmost: string | undefined;
  let leftmost: TSESTree.Node = name;
  while (leftmost.type === AST_NODE_TYPES.TSQualifiedName || leftmost.type === AST_NODE_TYPES.MemberExpression) {
    rightmost ??= leftmost.type === AST_NODE_TYPES.TSQualifiedName ? leftmost.right.name : propertyName(leftmost);
    leftmost = leftmost.type === AST_NODE_TYPES.TSQualifiedName ? leftmost.left : leftmost.object;
  }
  if (leftmost.type !== AST_NODE_TYPES.Identifier) return undefined;
  const typeName = rightmost ?? leftmost.name;
  if (isGatewayTypeName(typeName, options)) return typeName;
  const definition = findVariable(sourceCode.getScope(leftmost), leftmost.name)?.defs[0];
  const declaration = definition?.node;
  if (
    (declaration?.type === AST_NODE_TYPES.ImportSpecifier ||
      declaration?.type === AST_NODE_TYPES.ImportDefaultSpecifier ||
      declaration?.type === AST_NODE_TYPES.ImportNamespaceSpecifier) &&
    isGatewayModule(declaration.parent.source?.value ?? '', options)
  ) {
    return typeName;
  }
  return undefined;
}

function unwrap(expression: TSESTree.Expression): TSESTree.Expression {
  let current = expression;
  while (
    current.type === AST_NODE_TYPES.ChainExpression ||
    current.type === AST_NODE_TYPES.TSNonNullExpression ||
    current.type === AST_NODE_TYPES.TSAsExpression
  ) {
    current = current.expression;
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// With types: the receiver's declared type, wherever the value comes from.

/**
 * The gateway port a method call is made on, by the checker: the receiver (or a value it is read
 * from) has a type whose name ends in a gateway word, or is a class or interface declared in a gateway
 * module; and the method returns a promise (a synchronous `gateway.describe()` waits for no provider).
 */
export function tsGatewayPortOfCall(call: ts.CallExpression, checker: ts.TypeChecker, options: GatewayPortOptions): string | undefined {
  let receiver = skipWrappers(call.expression);
  while (ts.isPropertyAccessExpression(receiver) || ts.isElementAccessExpression(receiver)) {
    receiver = skipWrappers(receiver.expression);
    // A gateway's own `this.post()` is its implementation, not a call on the port: the call graph follows it.
    if (ts.isCallExpression(receiver) || receiver.kind === ts.SyntaxKind.ThisKeyword) return undefined;
    const port = gatewayPortOfType(checker.getNonNullableType(checker.getTypeAtLocation(receiver)), options);
    if (port !== undefined) return isAsyncCall(call, checker) ? port : undefined;
  }
  return undefined;

  function gatewayPortOfType(type: ts.Type, portOptions: GatewayPortOptions): string | undefined {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
    for (const member of type.isUnionOrIntersection() ? type.types : [type]) {
      for (const symbol of [member.aliasSymbol, member.getSymbol()]) {
        if (!symbol || symbol.flags & ts.SymbolFlags.TypeLiteral || symbol.flags & ts.SymbolFlags.ObjectLiteral) continue;
        if (isGatewayTypeName(symbol.name, portOptions)) return symbol.name;
        // By file only classes and interfaces: a gateway module's data types (`ChargeResult`) are no ports.
        const isPortKind = (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) !== 0;
        if (isPortKind && symbol.declarations?.some((declaration) => isGatewayModule(declaration.getSourceFile().fileName, portOptions))) {
          return symbol.name;
        }
      }
    }
    return undefined;
  }
}

function isAsyncCall(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  const signature = checker.getResolvedSignature(call);
  return signature !== undefined && returnsThenable(signature, checker);
}
