import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { findVariable } from './fresh-value.js';
import { isKeyProperty } from './idempotency-key-slot.js';
import type { ExecuteInternal } from './safecall-model.js';
import { propertyName } from './transaction-scope.js';

/**
 * Which values inside `executeInternal(opId, cmd, ctx)` carry the operation's idempotency key: the
 * key itself (`opId`, `ctx.idempotencyKey`, `cmd.idemKey` and what is made from them) or a value the
 * key travels in (`ctx`, `cmd`, `{ idempotencyKey: key }`, headers). Decided by following the file's
 * bindings backwards from an expression, so the answer needs no type information.
 */

/** Properties of the command and the execution context that hold the operation's key. */
export const defaultOperationKeyProperties: readonly string[] = ['idempotencyKey', 'idemKey', 'opId'];

/** `key`: the key or a value made from it; `carrier`: a value the key travels in (the whole `ctx` or `cmd`). */
export type KeyValue = 'key' | 'carrier';

// executeInternal(opId, cmd, ctx): what each positional parameter is.
const parameterValues: readonly KeyValue[] = ['key', 'carrier', 'carrier'];
const maxHops = 8;

export interface OperationKeyTracker {
  /** Whether the expression carries the operation's key, and how. */
  valueOf(expression: TSESTree.Node): KeyValue | undefined;
}

export function createOperationKeyTracker(
  executeInternal: ExecuteInternal,
  sourceCode: TSESLint.SourceCode,
  keyProperties: readonly string[] = defaultOperationKeyProperties,
): OperationKeyTracker {
  const fn = executeInternal.fn;
  const isKeyName = (name: string | undefined): boolean => name !== undefined && isKeyProperty(name, keyProperties);

  function valueOf(node: TSESTree.Node, hops: number): KeyValue | undefined {
    if (hops > maxHops) return undefined;
    switch (node.type) {
      case AST_NODE_TYPES.Identifier:
        return valueOfIdentifier(node, hops);
      case AST_NODE_TYPES.MemberExpression: {
        const object = valueOf(node.object, hops + 1);
        if (object === 'key') return 'key'; // `key.length`, `opId.slice(0, 8)` as a value
        return object === 'carrier' && isKeyName(propertyName(node)) ? 'key' : undefined;
      }
      case AST_NODE_TYPES.TemplateLiteral:
        return anyOf(node.expressions, hops);
      case AST_NODE_TYPES.BinaryExpression:
        return node.operator === '+' ? anyOf([node.left, node.right], hops) : undefined;
      case AST_NODE_TYPES.LogicalExpression:
        return anyOf([node.left, node.right], hops);
      case AST_NODE_TYPES.ConditionalExpression:
        return anyOf([node.consequent, node.alternate], hops);
      case AST_NODE_TYPES.AwaitExpression:
        return valueOf(node.argument, hops + 1);
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.ChainExpression:
        return valueOf(node.expression, hops + 1);
      case AST_NODE_TYPES.ObjectExpression:
        return valueOfObject(node, hops);
      case AST_NODE_TYPES.ArrayExpression:
        return anyOf(node.elements.filter((element) => element !== null), hops);
      case AST_NODE_TYPES.SpreadElement:
        return valueOf(node.argument, hops + 1);
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        return valueOfCall(node, hops);
      default:
        return undefined;
    }
  }

  /** A value made from several parts carries the key when one part does. */
  function anyOf(nodes: readonly TSESTree.Node[], hops: number): KeyValue | undefined {
    return nodes.some((node) => valueOf(node, hops + 1) !== undefined) ? 'key' : undefined;
  }

  // `{ idempotencyKey: key }`, `{ headers: { 'Idempotency-Key': key } }` carry the key; `{ ...ctx }` is ctx again.
  function valueOfObject(node: TSESTree.ObjectExpression, hops: number): KeyValue | undefined {
    let found: KeyValue | undefined;
    for (const property of node.properties) {
      const value = valueOf(property.type === AST_NODE_TYPES.Property ? property.value : property, hops + 1);
      if (value === 'carrier' && property.type === AST_NODE_TYPES.SpreadElement) return 'carrier';
      found ??= value;
    }
    return found;
  }

  // A value made from the key keeps it: `String(opId)`, `hash(opId)`, `key.toUpperCase()`, `new PutObjectCommand({ ClientToken: key })`.
  function valueOfCall(node: TSESTree.CallExpression | TSESTree.NewExpression, hops: number): KeyValue | undefined {
    if (anyOf(node.arguments, hops)) return 'key';
    const callee = node.callee;
    if (callee.type === AST_NODE_TYPES.MemberExpression && valueOf(callee.object, hops + 1) === 'key') return 'key';
    return undefined;
  }

  function valueOfIdentifier(identifier: TSESTree.Identifier, hops: number): KeyValue | undefined {
    const variable = findVariable(sourceCode.getScope(identifier), identifier.name);
    const definition = variable?.defs[0];
    if (!variable || !definition) return undefined;
    if (definition.type === 'Parameter') return definition.node === fn ? valueOfParameterBinding(definition.name) : undefined;
    if (definition.node.type !== AST_NODE_TYPES.VariableDeclarator) return undefined;
    const declarator = definition.node;
    if (declarator.id.type === AST_NODE_TYPES.Identifier) {
      // Every value the variable is given: `let key = ctx.idempotencyKey; if (retry) key = ...`.
      const values = variable.references.flatMap((reference) => (reference.writeExpr ? [reference.writeExpr] : []));
      return firstValue(values, hops);
    }
    const init = declarator.init;
    return init ? valueOfPatternBinding(definition.name, valueOf(init, hops + 1)) : undefined;
  }

  function firstValue(values: readonly TSESTree.Node[], hops: number): KeyValue | undefined {
    for (const value of values) {
      const found = valueOf(value, hops + 1);
      if (found) return found;
    }
    return undefined;
  }

  /** A binding in executeInternal's parameter list: `opId`, `cmd`, `ctx`, or `{ idempotencyKey }` destructured from one. */
  function valueOfParameterBinding(name: TSESTree.Node): KeyValue | undefined {
    let parameter: TSESTree.Node = name;
    while (parameter.parent && parameter.parent !== fn) parameter = parameter.parent;
    const index = fn.params.indexOf(parameter as TSESTree.Parameter);
    const whole = parameterValues[index];
    if (!whole) return undefined;
    const bare = parameter.type === AST_NODE_TYPES.AssignmentPattern ? parameter.left : parameter;
    return bare === name ? whole : valueOfPatternBinding(name, whole);
  }

  /** `const { idempotencyKey: key } = ctx` gives the key; `const { signal } = ctx` does not; `{ ...rest }` keeps carrying it. */
  function valueOfPatternBinding(name: TSESTree.Node, whole: KeyValue | undefined): KeyValue | undefined {
    if (!whole) return undefined;
    let binding: TSESTree.Node = name;
    if (binding.parent?.type === AST_NODE_TYPES.AssignmentPattern && binding.parent.left === binding) binding = binding.parent;
    const holder = binding.parent;
    // `const { idemKey, ...details } = cmd`: the rest carries the key only when no sibling took it out.
    if (holder?.type === AST_NODE_TYPES.RestElement) {
      const siblings = holder.parent.type === AST_NODE_TYPES.ObjectPattern ? holder.parent.properties : [];
      return siblings.some((sibling) => sibling.type === AST_NODE_TYPES.Property && isKeyName(patternKeyName(sibling))) ? undefined : whole;
    }
    if (holder?.type !== AST_NODE_TYPES.Property || holder.parent.type !== AST_NODE_TYPES.ObjectPattern) return undefined;
    if (whole === 'key') return 'key';
    // One level deep: `{ ctx: { idempotencyKey } }` patterns are rare enough to leave out.
    return isTopLevelPattern(holder.parent) && isKeyName(patternKeyName(holder)) ? 'key' : undefined;
  }

  return { valueOf: (expression) => valueOf(expression, 0) };
}

function patternKeyName(property: TSESTree.Property): string | undefined {
  if (property.computed) return undefined;
  if (property.key.type === AST_NODE_TYPES.Identifier) return property.key.name;
  return property.key.type === AST_NODE_TYPES.Literal && typeof property.key.value === 'string' ? property.key.value : undefined;
}

function isTopLevelPattern(pattern: TSESTree.ObjectPattern): boolean {
  const parent = pattern.parent;
  return parent.type !== AST_NODE_TYPES.Property && parent.type !== AST_NODE_TYPES.ArrayPattern;
}
