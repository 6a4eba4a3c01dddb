import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

/** The child nodes of an ESTree node, in source order (no visitor keys needed, `parent` skipped). */
export function childNodes(node: TSESTree.Node): TSESTree.Node[] {
  const children: TSESTree.Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent') continue;
    for (const child of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (isNode(child)) children.push(child);
    }
  }
  return children;
}

function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The name of a property key: `a`, `#a` or `'a'`; undefined for a computed key. */
export function keyName(key: TSESTree.Node): string | undefined {
  if (key.type === AST_NODE_TYPES.Identifier || key.type === AST_NODE_TYPES.PrivateIdentifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === 'string') return key.value;
  return undefined;
}

/** The body of the class a node is written in, if any. */
export function enclosingClassBody(node: TSESTree.Node): TSESTree.ClassBody | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ClassBody) return current;
  }
  return undefined;
}

/** One place a class gives `this.<name>` its type or value. */
export interface FieldSource {
  readonly type?: TSESTree.TypeNode;
  readonly value?: TSESTree.Expression;
}

/**
 * Where the class around `member` (`this.stripe`) declares that field, in source order: a field with its
 * annotation and initialiser, a constructor parameter property, or `this.stripe = …` in the constructor.
 */
export function thisFieldSources(member: TSESTree.MemberExpression, name: string): FieldSource[] {
  const classBody = enclosingClassBody(member);
  const sources: FieldSource[] = [];
  for (const element of classBody?.body ?? []) {
    if (element.type === AST_NODE_TYPES.PropertyDefinition && !element.computed && keyName(element.key) === name) {
      sources.push({ type: element.typeAnnotation?.typeAnnotation, value: element.value ?? undefined });
    }
    if (element.type !== AST_NODE_TYPES.MethodDefinition || element.kind !== 'constructor') continue;
    for (const parameter of element.value.params) {
      if (parameter.type === AST_NODE_TYPES.TSParameterProperty && parameter.parameter.type === AST_NODE_TYPES.Identifier && parameter.parameter.name === name) {
        sources.push({ type: parameter.parameter.typeAnnotation?.typeAnnotation });
      }
    }
    for (const statement of element.value.body?.body ?? []) {
      if (statement.type !== AST_NODE_TYPES.ExpressionStatement) continue;
      const expression = statement.expression;
      if (
        expression.type === AST_NODE_TYPES.AssignmentExpression &&
        expression.left.type === AST_NODE_TYPES.MemberExpression &&
        expression.left.object.type === AST_NODE_TYPES.ThisExpression &&
        !expression.left.computed &&
        keyName(expression.left.property) === name
      ) {
        sources.push({ value: expression.right });
      }
    }
  }
  return sources;
}
