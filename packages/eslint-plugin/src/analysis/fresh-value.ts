import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { calleeText } from './transaction-scope.js';

/** What makes a value fresh per call, by name. */
export interface FreshValueOptions {
  /** Functions whose result differs on every call: `randomUUID`, `uuid`, `nanoid`, `ulid`. */
  readonly freshValueFunctions: readonly string[];
  /** `object.method` pairs whose result differs on every call: `Date.now`, `Math.random`. */
  readonly freshValueMethods: readonly string[];
  /** Classes whose instance made without arguments differs on every call: `Date`, `ObjectId`. */
  readonly freshValueClasses: readonly string[];
}

export const defaultFreshValueOptions: FreshValueOptions = {
  freshValueFunctions: [
    'randomUUID',
    'uuid',
    'uuidv1',
    'uuidv4',
    'uuidV4',
    'uuidv7',
    'v1',
    'v4',
    'v7',
    'nanoid',
    'ulid',
    'cuid',
    'createId',
    'randomBytes',
    'randomInt',
    'generateId',
    'ObjectId',
  ],
  freshValueMethods: [
    'Date.now',
    'Math.random',
    'performance.now',
    'process.hrtime',
    'crypto.randomUUID',
    'crypto.randomBytes',
    'crypto.randomInt',
    'crypto.getRandomValues',
    'uuid.v1',
    'uuid.v4',
    'uuid.v7',
  ],
  freshValueClasses: ['Date', 'ObjectId', 'ObjectID'],
};

export const freshValueOptionsSchema = {
  freshValueFunctions: {
    type: 'array',
    items: { type: 'string' },
    description: 'Functions whose result differs on every call.',
  },
  freshValueMethods: {
    type: 'array',
    items: { type: 'string' },
    description: '`object.method` pairs whose result differs on every call.',
  },
  freshValueClasses: {
    type: 'array',
    items: { type: 'string' },
    description: 'Classes whose instance built without arguments differs on every call.',
  },
} as const;

/** A value made fresh per call, and the expression that makes it (`randomUUID()`, `Date.now()`). */
export interface FreshValue {
  readonly source: string;
  readonly node: TSESTree.Node;
}

// Methods that keep a fresh value fresh: `Date.now().toString()`, `new Date().toISOString()`, `randomBytes(8).toString('hex')`.
const preservingMethods = new Set(['toString', 'toISOString', 'toJSON', 'getTime', 'valueOf', 'toFixed', 'slice', 'substring', 'replace', 'replaceAll', 'padStart', 'toUpperCase', 'toLowerCase']);
const preservingFunctions = new Set(['String', 'Number']);
const maxVariableHops = 4;

/**
 * Whether an expression is a value made fresh per call: `randomUUID()`, `uuid()`, `Date.now()`,
 * `` `order-${Date.now()}` ``, or a local `const` initialised with one. `new Date(order.createdAt)`
 * and `uuidv5(name, namespace)` are not fresh: they are derived from their input.
 */
export function findFreshValue(
  expression: TSESTree.Node,
  sourceCode: TSESLint.SourceCode | undefined,
  options: FreshValueOptions = defaultFreshValueOptions,
): FreshValue | undefined {
  return search(expression, sourceCode, options, 0);
}

function search(
  node: TSESTree.Node,
  sourceCode: TSESLint.SourceCode | undefined,
  options: FreshValueOptions,
  hops: number,
): FreshValue | undefined {
  switch (node.type) {
    case AST_NODE_TYPES.CallExpression:
      return freshCall(node, sourceCode, options, hops);
    case AST_NODE_TYPES.NewExpression: {
      const name = node.callee.type === AST_NODE_TYPES.Identifier ? node.callee.name : undefined;
      if (name !== undefined && node.arguments.length === 0 && options.freshValueClasses.includes(name)) {
        return { source: `new ${name}()`, node };
      }
      return undefined;
    }
    case AST_NODE_TYPES.TemplateLiteral:
      return firstFresh(node.expressions, sourceCode, options, hops);
    case AST_NODE_TYPES.BinaryExpression:
      return node.operator === '+' ? firstFresh([node.left, node.right], sourceCode, options, hops) : undefined;
    // `headerKey ?? randomUUID()`: whenever the fallback is taken, the key is new on every call.
    case AST_NODE_TYPES.LogicalExpression:
      return node.operator === '&&' ? undefined : firstFresh([node.left, node.right], sourceCode, options, hops);
    case AST_NODE_TYPES.ConditionalExpression:
      return firstFresh([node.consequent, node.alternate], sourceCode, options, hops);
    case AST_NODE_TYPES.AwaitExpression:
      return search(node.argument, sourceCode, options, hops);
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.TSSatisfiesExpression:
    case AST_NODE_TYPES.ChainExpression:
      return search(node.expression, sourceCode, options, hops);
    case AST_NODE_TYPES.Identifier:
      return hops < maxVariableHops ? freshVariable(node, sourceCode, options, hops) : undefined;
    default:
      return undefined;
  }
}

function freshCall(
  call: TSESTree.CallExpression,
  sourceCode: TSESLint.SourceCode | undefined,
  options: FreshValueOptions,
  hops: number,
): FreshValue | undefined {
  const callee = call.callee;
  if (callee.type === AST_NODE_TYPES.Identifier) {
    if (options.freshValueFunctions.includes(callee.name)) return { source: `${callee.name}()`, node: call };
    if (preservingFunctions.has(callee.name) && call.arguments[0]) {
      return search(call.arguments[0], sourceCode, options, hops);
    }
    return hops < maxVariableHops ? freshLocalFunction(callee, sourceCode, options, hops) : undefined;
  }
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed) return undefined;
  const text = calleeText(callee);
  const method = callee.property.type === AST_NODE_TYPES.Identifier ? callee.property.name : '';
  if (options.freshValueMethods.some((pair) => text === pair || text.endsWith(`.${pair}`))) {
    return { source: `${text}()`, node: call };
  }
  if (preservingMethods.has(method)) return search(callee.object, sourceCode, options, hops);
  return undefined;
}

function firstFresh(
  nodes: readonly TSESTree.Node[],
  sourceCode: TSESLint.SourceCode | undefined,
  options: FreshValueOptions,
  hops: number,
): FreshValue | undefined {
  for (const node of nodes) {
    const fresh = search(node, sourceCode, options, hops);
    if (fresh) return fresh;
  }
  return undefined;
}

/** Follows a local `const key = randomUUID()` (or a `let` never reassigned) to its initialiser. */
function freshVariable(
  identifier: TSESTree.Identifier,
  sourceCode: TSESLint.SourceCode | undefined,
  options: FreshValueOptions,
  hops: number,
): FreshValue | undefined {
  if (!sourceCode) return undefined;
  const variable = findVariable(sourceCode.getScope(identifier), identifier.name);
  if (!variable || variable.defs.length !== 1) return undefined;
  const definition = variable.defs[0];
  if (definition?.node.type !== AST_NODE_TYPES.VariableDeclarator || !definition.node.init) return undefined;
  if (definition.node.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  const writes = variable.references.filter((reference) => reference.isWrite());
  if (writes.length > 1) return undefined;
  return search(definition.node.init, sourceCode, options, hops + 1);
}

/** A local helper that returns a fresh value: `const newKey = () => \`pay-${randomUUID()}\``, `function newKey() { return uuid(); }`. */
function freshLocalFunction(
  callee: TSESTree.Identifier,
  sourceCode: TSESLint.SourceCode | undefined,
  options: FreshValueOptions,
  hops: number,
): FreshValue | undefined {
  if (!sourceCode) return undefined;
  const definition = findVariable(sourceCode.getScope(callee), callee.name)?.defs[0];
  const node = definition?.node;
  const fn =
    node?.type === AST_NODE_TYPES.FunctionDeclaration
      ? node
      : node?.type === AST_NODE_TYPES.VariableDeclarator &&
          (node.init?.type === AST_NODE_TYPES.ArrowFunctionExpression || node.init?.type === AST_NODE_TYPES.FunctionExpression)
        ? node.init
        : undefined;
  if (!fn?.body) return undefined;
  const returned =
    fn.body.type === AST_NODE_TYPES.BlockStatement
      ? fn.body.body.flatMap((statement) =>
          statement.type === AST_NODE_TYPES.ReturnStatement && statement.argument ? [statement.argument] : [],
        )
      : [fn.body];
  const fresh = firstFresh(returned, sourceCode, options, hops + 1);
  // Reported at the call: that is where the key is taken.
  return fresh && { source: `${callee.name}() → ${fresh.source}`, node: callee.parent };
}

/** The object literal a node is, directly, through `as`/`satisfies`/`!`, or through a local `const`. */
export function localObjectLiteral(node: TSESTree.Node, sourceCode: TSESLint.SourceCode): TSESTree.ObjectExpression | undefined {
  if (
    node.type === AST_NODE_TYPES.TSAsExpression ||
    node.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    node.type === AST_NODE_TYPES.TSNonNullExpression
  ) {
    return localObjectLiteral(node.expression, sourceCode);
  }
  if (node.type === AST_NODE_TYPES.ObjectExpression) return node;
  if (node.type !== AST_NODE_TYPES.Identifier) return undefined;
  const definition = findVariable(sourceCode.getScope(node), node.name)?.defs[0];
  const init = definition?.node.type === AST_NODE_TYPES.VariableDeclarator ? definition.node.init : undefined;
  // One hop only: `const options = { ... } satisfies RequestOptions`, not chains of aliases.
  return init && init.type !== AST_NODE_TYPES.Identifier ? localObjectLiteral(init, sourceCode) : undefined;
}

export function findVariable(
  scope: TSESLint.Scope.Scope | null,
  name: string,
): TSESLint.Scope.Variable | undefined {
  for (let current = scope; current; current = current.upper) {
    const variable = current.set.get(name);
    if (variable) return variable;
  }
  return undefined;
}
