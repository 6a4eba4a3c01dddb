import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

/**
 * What opens a database transaction, by name. The defaults cover TypeORM, typeorm-transactional,
 * @nestjs-cls/transactional, Prisma, Knex, Sequelize, Drizzle, Kysely, MikroORM and mongoose.
 */
export interface TransactionScopeOptions {
  /** Method decorators that run the method inside a transaction (`@Transactional()`, `@Transaction()`). */
  readonly transactionDecorators: readonly string[];
  /** Functions or methods whose function argument runs inside a transaction (`*.transaction(cb)`, `$transaction(cb)`). */
  readonly transactionCallees: readonly string[];
  /** Functions or methods whose function argument runs after the transaction ends (`runOnTransactionCommit(cb)`). */
  readonly afterTransactionCallees: readonly string[];
}

export const defaultTransactionScopeOptions: TransactionScopeOptions = {
  // `InjectEntityManager`, `InjectRepository`, `InjectTransaction`, `InjectTransactionHost` only inject; they open nothing.
  transactionDecorators: ['Transactional', 'Transaction'],
  transactionCallees: [
    'transaction', // TypeORM DataSource/EntityManager, Knex, Sequelize, Drizzle, Kysely (`.transaction().execute(cb)`)
    '$transaction', // Prisma interactive transactions
    'transactional', // MikroORM `em.transactional(cb)`
    'withTransaction', // @nestjs-cls/transactional TransactionHost, mongoose sessions
    'runInTransaction', // typeorm-transactional
    'inTransaction',
    'transactionAsync',
  ],
  afterTransactionCallees: [
    'runOnTransactionCommit',
    'runOnTransactionComplete',
    'runOnTransactionRollback',
    'afterCommit',
    'onCommit',
    'setTimeout',
    'setImmediate',
    'queueMicrotask',
  ],
};

/** JSON schema properties for the options above; rules spread them into their own option object. */
export const transactionScopeOptionsSchema = {
  transactionDecorators: {
    type: 'array',
    items: { type: 'string' },
    description: 'Method decorators that run the method inside a transaction.',
  },
  transactionCallees: {
    type: 'array',
    items: { type: 'string' },
    description: 'Functions or methods whose callback argument runs inside a transaction.',
  },
  afterTransactionCallees: {
    type: 'array',
    items: { type: 'string' },
    description: 'Functions or methods whose callback argument runs after the transaction ends.',
  },
} as const;

export type FunctionNode =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression;

/** A piece of code that runs inside a database transaction, and what opened it. */
export interface TransactionScope {
  readonly kind: 'decorator' | 'callback';
  /** The decorator or the call that opens the transaction. */
  readonly opener: TSESTree.Decorator | TSESTree.CallExpression;
  /** How to name the opener in a message: `@Transactional()`, `prisma.$transaction()`. */
  readonly openerName: string;
  /** The function whose body runs inside the transaction. */
  readonly body: FunctionNode;
}

export function isFunctionNode(node: TSESTree.Node): node is FunctionNode {
  return (
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression
  );
}

/** The name a call is made by: `transaction` for `db.transaction(cb)`, `runInTransaction` for `runInTransaction(cb)`. */
export function calleeName(callee: TSESTree.Expression): string | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return propertyName(callee);
  if (callee.type === AST_NODE_TYPES.ChainExpression) return calleeName(callee.expression);
  if (callee.type === AST_NODE_TYPES.TSNonNullExpression) return calleeName(callee.expression);
  return undefined;
}

export function propertyName(member: TSESTree.MemberExpression): string | undefined {
  if (!member.computed && member.property.type === AST_NODE_TYPES.Identifier) return member.property.name;
  if (member.property.type === AST_NODE_TYPES.PrivateIdentifier) return member.property.name;
  if (member.property.type === AST_NODE_TYPES.Literal && typeof member.property.value === 'string') {
    return member.property.value;
  }
  return undefined;
}

/** The decorator's name: `Transactional` for `@Transactional()`, `@Transactional`, `@tx.Transactional()`. */
export function decoratorName(decorator: TSESTree.Decorator): string | undefined {
  const expression =
    decorator.expression.type === AST_NODE_TYPES.CallExpression ? decorator.expression.callee : decorator.expression;
  return calleeName(expression);
}

export function isTransactionDecorator(
  decorator: TSESTree.Decorator,
  options: TransactionScopeOptions = defaultTransactionScopeOptions,
): boolean {
  const name = decoratorName(decorator);
  return name !== undefined && options.transactionDecorators.includes(name);
}

/**
 * True when the call opens a transaction, with or without a callback: `db.transaction(cb)`,
 * `prisma.$transaction([...])`, `db.transaction().execute(cb)` (Kysely), `await sequelize.transaction()`.
 */
export function isTransactionCall(
  call: TSESTree.CallExpression,
  options: TransactionScopeOptions = defaultTransactionScopeOptions,
): boolean {
  const name = calleeName(call.callee);
  if (name === undefined) return false;
  if (options.transactionCallees.includes(name)) return true;
  return name === 'execute' && isKyselyTransactionBuilder(call.callee, options);
}

/** The callback run inside the transaction a call opens, if the call opens one with a callback. */
export function getTransactionCallback(
  call: TSESTree.CallExpression,
  options: TransactionScopeOptions = defaultTransactionScopeOptions,
): FunctionNode | undefined {
  if (!isTransactionCall(call, options)) return undefined;
  // The callback comes last: `sequelize.transaction({ isolationLevel }, cb)`, `manager.transaction('SERIALIZABLE', cb)`.
  for (let i = call.arguments.length - 1; i >= 0; i--) {
    const argument = call.arguments[i];
    if (argument && isFunctionNode(argument)) return argument;
  }
  return undefined;
}

/** `db.transaction().setIsolationLevel('serializable').execute` — the callee of Kysely's `execute(cb)`. */
function isKyselyTransactionBuilder(callee: TSESTree.Expression, options: TransactionScopeOptions): boolean {
  let object: TSESTree.Node | undefined = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : undefined;
  while (object?.type === AST_NODE_TYPES.CallExpression) {
    const name = calleeName(object.callee);
    if (name !== undefined && options.transactionCallees.includes(name)) return true;
    object = object.callee.type === AST_NODE_TYPES.MemberExpression ? object.callee.object : undefined;
  }
  return false;
}

// Per options object (one per rule and file), per function: the scope it opens, null when it opens none or leaves one.
const scopeCaches = new WeakMap<TransactionScopeOptions, WeakMap<FunctionNode, TransactionScope | null | undefined>>();

/**
 * The transaction scope a node runs in, or undefined: the nearest enclosing function that is a
 * transaction callback or a method with a transaction decorator. A callback handed to an
 * after-commit hook or a timer inside a transaction runs after it, so it breaks the chain.
 */
export function findTransactionScope(
  node: TSESTree.Node,
  options: TransactionScopeOptions = defaultTransactionScopeOptions,
): TransactionScope | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (!isFunctionNode(current)) continue;
    const scope = scopeOfFunction(current, options);
    if (scope !== undefined) return scope ?? undefined;
  }
  return undefined;
}

/** The scope a function opens (a scope), that it leaves (null), or undefined when it is transparent. */
function scopeOfFunction(fn: FunctionNode, options: TransactionScopeOptions): TransactionScope | null | undefined {
  let cache = scopeCaches.get(options);
  if (!cache) {
    cache = new WeakMap();
    scopeCaches.set(options, cache);
  }
  if (cache.has(fn)) return cache.get(fn);
  const scope = computeScopeOfFunction(fn, options);
  cache.set(fn, scope);
  return scope;
}

function computeScopeOfFunction(
  fn: FunctionNode,
  options: TransactionScopeOptions,
): TransactionScope | null | undefined {
  const parent = fn.parent;
  if (parent.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(fn as TSESTree.CallExpressionArgument)) {
    if (getTransactionCallback(parent, options) === fn) {
      return { kind: 'callback', opener: parent, openerName: `${calleeText(parent.callee)}()`, body: fn };
    }
    const name = calleeName(parent.callee);
    if (name !== undefined && options.afterTransactionCallees.includes(name)) return null;
    return undefined;
  }
  if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.PropertyDefinition) {
    const decorator = parent.decorators.find((d) => isTransactionDecorator(d, options));
    if (decorator) {
      return { kind: 'decorator', opener: decorator, openerName: `@${decoratorName(decorator)}()`, body: fn };
    }
    // A method is only called when someone calls it: code outside the class does not reach into it.
    return null;
  }
  return undefined;
}

/** Source-like text of a callee for messages: `this.dataSource.transaction`, `prisma.$transaction`. */
export function calleeText(node: TSESTree.Node): string {
  switch (node.type) {
    case AST_NODE_TYPES.Identifier:
      return node.name;
    case AST_NODE_TYPES.PrivateIdentifier:
      return `#${node.name}`;
    case AST_NODE_TYPES.ThisExpression:
      return 'this';
    case AST_NODE_TYPES.Super:
      return 'super';
    case AST_NODE_TYPES.MemberExpression: {
      const property = propertyName(node) ?? '[…]';
      return `${calleeText(node.object)}.${property}`;
    }
    case AST_NODE_TYPES.CallExpression:
      return `${calleeText(node.callee)}()`;
    case AST_NODE_TYPES.NewExpression:
      return `new ${calleeText(node.callee)}()`;
    case AST_NODE_TYPES.ChainExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.AwaitExpression:
      return calleeText(node.type === AST_NODE_TYPES.AwaitExpression ? node.argument : node.expression);
    default:
      return '…';
  }
}
