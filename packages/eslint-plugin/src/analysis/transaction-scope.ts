import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

/**
 * What opens a database transaction, by name. The defaults cover TypeORM, typeorm-transactional,
 * @nestjs-cls/transactional, Prisma, Knex, Sequelize, Drizzle, Kysely, MikroORM, mongoose, Medusa,
 * Vendure, postgres.js, pg-promise and plain SQL (`BEGIN` … `COMMIT`).
 */
export interface TransactionScopeOptions {
  /** Method decorators that run the method inside a transaction (`@Transactional()`, `@Transaction()`). */
  readonly transactionDecorators: readonly string[];
  /** Functions or methods whose function argument runs inside a transaction (`*.transaction(cb)`, `$transaction(cb)`). */
  readonly transactionCallees: readonly string[];
  /** Functions or methods whose function argument runs after the transaction ends (`runOnTransactionCommit(cb)`). */
  readonly afterTransactionCallees: readonly string[];
  /**
   * Methods that begin a transaction on their receiver, or on the variable their result is bound to
   * (`queryRunner.startTransaction()`, `const trx = await db.startTransaction().execute()`): the
   * statements after them run inside it until an end call on the same receiver.
   */
  readonly transactionBeginCallees?: readonly string[];
  /** Methods that end a transaction begun by a begin call or an unmanaged `const trx = await knex.transaction()`. */
  readonly transactionEndCallees?: readonly string[];
}

export const defaultTransactionScopeOptions: TransactionScopeOptions = {
  // `InjectEntityManager`, `InjectRepository`, `InjectTransaction`, `InjectTransactionHost` only inject; they open nothing.
  // Medusa's `InjectTransactionManager` wraps the method in `baseRepository_.transaction()`; its `InjectManager` does not.
  transactionDecorators: ['Transactional', 'Transaction', 'InjectTransactionManager'],
  transactionCallees: [
    'transaction', // TypeORM DataSource/EntityManager, Knex, Sequelize, Drizzle, Kysely (`.transaction().execute(cb)`)
    '$transaction', // Prisma interactive transactions
    'transactional', // MikroORM `em.transactional(cb)`
    'withTransaction', // @nestjs-cls/transactional TransactionHost, mongoose sessions
    'runInTransaction', // typeorm-transactional
    'inTransaction',
    'transactionAsync',
    'atomicPhase_', // Medusa v1 services
    'begin', // postgres.js `sql.begin(cb)`
    'tx', // pg-promise `db.tx(cb)`
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
    'nextTick',
  ],
  transactionBeginCallees: ['startTransaction', 'beginTransaction', 'begin'],
  transactionEndCallees: ['commit', 'rollback', 'commitTransaction', 'rollbackTransaction', 'abortTransaction', 'release', 'endSession'],
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
  transactionBeginCallees: {
    type: 'array',
    items: { type: 'string' },
    description: 'Methods that begin a transaction on their receiver for the statements that follow.',
  },
  transactionEndCallees: {
    type: 'array',
    items: { type: 'string' },
    description: 'Methods that end a transaction begun by a begin call.',
  },
} as const;

export type FunctionNode =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression;

/** A piece of code that runs inside a database transaction, and what opened it. */
export interface TransactionScope {
  /** `statements`: the statements between a begin call and its commit or rollback (`queryRunner.startTransaction()`). */
  readonly kind: 'decorator' | 'callback' | 'statements';
  /** The decorator or the call that opens the transaction. */
  readonly opener: TSESTree.Decorator | TSESTree.CallExpression;
  /** How to name the opener in a message: `@Transactional()`, `prisma.$transaction()`. */
  readonly openerName: string;
  /** The function whose body runs inside the transaction (for `statements`, the function or file they are in). */
  readonly body: FunctionNode | TSESTree.Program;
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
// Keyed by the wrapper check when there is one (a rule makes one per file), else by the options.
const scopeCaches = new WeakMap<object, WeakMap<FunctionNode, TransactionScope | null | undefined>>();

/**
 * The transaction scope a node runs in, or undefined: the nearest enclosing function that is a
 * transaction callback or a method with a transaction decorator, or the statements after a begin
 * call (`queryRunner.startTransaction()`, `const trx = await knex.transaction()`, `client.query('BEGIN')`)
 * that no commit or rollback on the same receiver has certainly ended yet. A callback handed to an
 * after-commit hook or a timer inside a transaction runs after it, so it breaks the chain.
 */
export function findTransactionScope(
  node: TSESTree.Node,
  options: TransactionScopeOptions = defaultTransactionScopeOptions,
  wrapperOpener?: WrapperOpener,
): TransactionScope | undefined {
  // Receivers whose transaction a statement before the node has ended, on every path to it.
  const ended = new Set<string>();
  let child: TSESTree.Node = node;
  for (let current = node.parent; current; child = current, current = current.parent) {
    const statements = statementListOf(current);
    if (statements) {
      const begun = findBeginBefore(statements, child, ended, options);
      if (begun) return { kind: 'statements', ...begun, body: enclosingFunctionOrProgram(current) };
      continue;
    }
    if (!isFunctionNode(current)) continue;
    const scope = scopeOfFunction(current, options, wrapperOpener);
    if (scope !== undefined) return scope ?? undefined;
  }
  return undefined;
}

/**
 * Names the transaction a call's function argument runs in when the callee is the project's own
 * wrapper around a transaction (`withTx(async (tx) => …)`); needs type information, so rules pass it in.
 */
export type WrapperOpener = (call: TSESTree.CallExpression, argumentIndex: number) => string | undefined;

function statementListOf(node: TSESTree.Node): readonly TSESTree.Node[] | undefined {
  switch (node.type) {
    case AST_NODE_TYPES.BlockStatement:
    case AST_NODE_TYPES.Program:
    case AST_NODE_TYPES.StaticBlock:
      return node.body;
    case AST_NODE_TYPES.SwitchCase:
      return node.consequent;
    default:
      return undefined;
  }
}

function enclosingFunctionOrProgram(node: TSESTree.Node): FunctionNode | TSESTree.Program {
  let current: TSESTree.Node = node;
  while (current.parent && !isFunctionNode(current)) current = current.parent;
  return isFunctionNode(current) ? current : (current as TSESTree.Program);
}

/** Scans the statements before `child`, nearest first, for a begin call whose transaction is still open. */
function findBeginBefore(
  statements: readonly TSESTree.Node[],
  child: TSESTree.Node,
  ended: Set<string>,
  options: TransactionScopeOptions,
): Pick<TransactionScope, 'opener' | 'openerName'> | undefined {
  for (let index = statements.indexOf(child) - 1; index >= 0; index--) {
    const { begin, ends } = controlOf(statements[index]!, options);
    for (const receiver of ends) ended.add(receiver);
    if (begin && !ended.has(begin.receiver)) return { opener: begin.call, openerName: begin.name };
  }
  return undefined;
}

interface TransactionControl {
  readonly begin: Begin | undefined;
  readonly ends: readonly string[];
}

// Per options object, per statement: every call in a block scans the statements before it, so each is read once.
const controlCaches = new WeakMap<TransactionScopeOptions, WeakMap<TSESTree.Node, TransactionControl>>();

function controlOf(statement: TSESTree.Node, options: TransactionScopeOptions): TransactionControl {
  let cache = controlCaches.get(options);
  if (!cache) {
    cache = new WeakMap();
    controlCaches.set(options, cache);
  }
  let control = cache.get(statement);
  if (!control) {
    control = { begin: beginIn(statement, options), ends: receiversEndedBy(statement, options) };
    cache.set(statement, control);
  }
  return control;
}

const beginSql = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
// `ROLLBACK TO SAVEPOINT` keeps the transaction open.
const endSql = /^\s*(COMMIT|END|ABORT|ROLLBACK(?!\s+TO\b))\b/i;

/** SQL that begins a transaction (`BEGIN`, `START TRANSACTION`). */
export function isBeginSql(text: string): boolean {
  return beginSql.test(text);
}

/** SQL that ends one (`COMMIT`, `ROLLBACK` but not `ROLLBACK TO SAVEPOINT`, `END`, `ABORT`). */
export function isEndSql(text: string): boolean {
  return endSql.test(text);
}

/** The SQL text of `client.query('BEGIN')`, `conn.execute(`COMMIT`)`: a first argument without interpolation. */
function sqlTextOf(call: TSESTree.CallExpression): string | undefined {
  const argument = call.arguments[0];
  if (argument?.type === AST_NODE_TYPES.Literal && typeof argument.value === 'string') return argument.value;
  if (argument?.type === AST_NODE_TYPES.TemplateLiteral && argument.expressions.length === 0) {
    return argument.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

interface Begin {
  readonly call: TSESTree.CallExpression;
  readonly receiver: string;
  readonly name: string;
}

/** A begin call made by the statement itself (not in a nested function or branch), and the receiver it begins on. */
function beginIn(statement: TSESTree.Node, options: TransactionScopeOptions): Begin | undefined {
  for (const call of straightLineCalls(statement)) {
    const name = calleeName(call.callee);
    if (name === undefined || call.callee.type !== AST_NODE_TYPES.MemberExpression) continue;
    const sql = sqlTextOf(call);
    if (sql !== undefined && beginSql.test(sql)) {
      return { call, receiver: calleeText(call.callee.object), name: `${calleeText(call.callee)}('${sql.trim()}')` };
    }
    const hasCallback = call.arguments.some((argument) => isFunctionNode(argument) || argument.type === AST_NODE_TYPES.ArrayExpression);
    if (hasCallback) continue;
    const bound = boundName(call);
    if ((options.transactionBeginCallees ?? []).includes(name) && !isTracingSpan(call)) {
      return { call, receiver: bound ?? calleeText(call.callee.object), name: `${calleeText(call.callee)}()` };
    }
    // `knex.transaction()` without a callback returns the transaction; it only scopes what uses the variable it is bound to.
    // Its arguments are options at most (`{ isolationLevel }`, `'SERIALIZABLE'`): `ledger.transaction(id)` reads a record.
    const onlyOptions = call.arguments.every(
      (argument) =>
        argument.type === AST_NODE_TYPES.ObjectExpression ||
        (argument.type === AST_NODE_TYPES.Literal && typeof argument.value === 'string' && isolationLevel.test(argument.value)),
    );
    if (options.transactionCallees.includes(name) && bound !== undefined && onlyOptions) {
      return { call, receiver: bound, name: `${calleeText(call.callee)}()` };
    }
  }
  return undefined;
}

const isolationLevel = /^\s*(READ\s+UNCOMMITTED|READ\s+COMMITTED|REPEATABLE\s+READ|SERIALIZABLE|SNAPSHOT)\s*$/i;
// APM agents name their spans "transactions": `Sentry.startTransaction({ name, op })`, `apm.startTransaction('GET /', 'request')`.
const tracingPackage = /^(@sentry\/|elastic-apm-node|newrelic|dd-trace|@opentelemetry\/|@newrelic\/)/;

/** A tracing span, not a database transaction: named in its arguments, or begun on an APM agent's import. */
function isTracingSpan(call: TSESTree.CallExpression): boolean {
  const named = call.arguments.some(
    (argument) =>
      (argument.type === AST_NODE_TYPES.Literal && typeof argument.value === 'string' && !isolationLevel.test(argument.value)) ||
      (argument.type === AST_NODE_TYPES.ObjectExpression &&
        argument.properties.some(
          (property) =>
            property.type === AST_NODE_TYPES.Property &&
            property.key.type === AST_NODE_TYPES.Identifier &&
            ['name', 'op'].includes(property.key.name),
        )),
  );
  if (named) return true;
  let root: TSESTree.Node = call.callee;
  while (root.type === AST_NODE_TYPES.MemberExpression || root.type === AST_NODE_TYPES.CallExpression) {
    root = root.type === AST_NODE_TYPES.MemberExpression ? root.object : root.callee;
  }
  if (root.type !== AST_NODE_TYPES.Identifier) return false;
  const rootName = root.name;
  let program: TSESTree.Node = call;
  while (program.parent) program = program.parent;
  return (program as TSESTree.Program).body.some(
    (statement) =>
      statement.type === AST_NODE_TYPES.ImportDeclaration &&
      tracingPackage.test(statement.source.value) &&
      statement.specifiers.some((specifier) => specifier.local.name === rootName),
  );
}

/** The variable a call's result is bound to: `trx` in `const trx = await db.startTransaction().execute()`. */
function boundName(call: TSESTree.CallExpression): string | undefined {
  let current: TSESTree.Node = call;
  for (;;) {
    const parent: TSESTree.Node | undefined = current.parent;
    if (parent?.type === AST_NODE_TYPES.AwaitExpression) current = parent;
    else if (
      parent?.type === AST_NODE_TYPES.MemberExpression &&
      parent.object === current &&
      parent.parent.type === AST_NODE_TYPES.CallExpression &&
      parent.parent.callee === parent
    ) {
      current = parent.parent;
    } else break;
  }
  const parent = current.parent;
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === current && parent.id.type === AST_NODE_TYPES.Identifier) {
    return parent.id.name;
  }
  if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === current) return calleeText(parent.left);
  return undefined;
}

/** The receivers whose transaction the statement ends on every path through it. */
function receiversEndedBy(statement: TSESTree.Node, options: TransactionScopeOptions): string[] {
  switch (statement.type) {
    case AST_NODE_TYPES.BlockStatement:
      return statement.body.flatMap((inner) => receiversEndedBy(inner, options));
    case AST_NODE_TYPES.TryStatement:
      // `try { …; await trx.commit() } catch { await trx.rollback(); throw e }`: past the try, it has ended.
      return [
        ...receiversEndedBy(statement.block, options),
        ...(statement.finalizer ? receiversEndedBy(statement.finalizer, options) : []),
      ];
    case AST_NODE_TYPES.IfStatement: {
      if (!statement.alternate) return [];
      const other = new Set(receiversEndedBy(statement.alternate, options));
      return receiversEndedBy(statement.consequent, options).filter((receiver) => other.has(receiver));
    }
    default:
      return straightLineCalls(statement).flatMap((call) => {
        const receiver = endedReceiver(call, options);
        return receiver === undefined ? [] : [receiver];
      });
  }
}

function endedReceiver(call: TSESTree.CallExpression, options: TransactionScopeOptions): string | undefined {
  if (call.callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const name = calleeName(call.callee);
  const sql = sqlTextOf(call);
  const ends = (name !== undefined && (options.transactionEndCallees ?? []).includes(name)) || (sql !== undefined && endSql.test(sql));
  return ends ? calleeText(call.callee.object) : undefined;
}

const branchingTypes = new Set<AST_NODE_TYPES>([
  AST_NODE_TYPES.IfStatement,
  AST_NODE_TYPES.ConditionalExpression,
  AST_NODE_TYPES.LogicalExpression,
  AST_NODE_TYPES.SwitchStatement,
  AST_NODE_TYPES.ForStatement,
  AST_NODE_TYPES.ForInStatement,
  AST_NODE_TYPES.ForOfStatement,
  AST_NODE_TYPES.WhileStatement,
  AST_NODE_TYPES.DoWhileStatement,
  AST_NODE_TYPES.TryStatement,
  AST_NODE_TYPES.BlockStatement,
]);

/** Calls an expression statement or declaration always makes: not in nested functions, branches or loops. */
function straightLineCalls(statement: TSESTree.Node): TSESTree.CallExpression[] {
  if (
    statement.type !== AST_NODE_TYPES.ExpressionStatement &&
    statement.type !== AST_NODE_TYPES.VariableDeclaration &&
    statement.type !== AST_NODE_TYPES.ReturnStatement
  ) {
    return [];
  }
  const calls: TSESTree.CallExpression[] = [];
  const visit = (node: TSESTree.Node): void => {
    if (isFunctionNode(node) || branchingTypes.has(node.type)) return;
    if (node.type === AST_NODE_TYPES.CallExpression) calls.push(node);
    for (const key of Object.keys(node) as (keyof typeof node)[]) {
      if (key === 'parent') continue;
      const value = node[key] as unknown;
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item);
      } else if (isNode(value)) visit(value);
    }
  };
  visit(statement);
  return calls;
}

function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The scope a function opens (a scope), that it leaves (null), or undefined when it is transparent. */
function scopeOfFunction(
  fn: FunctionNode,
  options: TransactionScopeOptions,
  wrapperOpener: WrapperOpener | undefined,
): TransactionScope | null | undefined {
  const cacheKey = wrapperOpener ?? options;
  let cache = scopeCaches.get(cacheKey);
  if (!cache) {
    cache = new WeakMap();
    scopeCaches.set(cacheKey, cache);
  }
  if (cache.has(fn)) return cache.get(fn);
  const scope = computeScopeOfFunction(fn, options, wrapperOpener);
  cache.set(fn, scope);
  return scope;
}

function computeScopeOfFunction(
  fn: FunctionNode,
  options: TransactionScopeOptions,
  wrapperOpener: WrapperOpener | undefined,
): TransactionScope | null | undefined {
  const parent = fn.parent;
  if (parent.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(fn as TSESTree.CallExpressionArgument)) {
    if (getTransactionCallback(parent, options) === fn) {
      return { kind: 'callback', opener: parent, openerName: `${calleeText(parent.callee)}()`, body: fn };
    }
    const name = calleeName(parent.callee);
    if (name !== undefined && options.afterTransactionCallees.includes(name)) return null;
    const wrapped = wrapperOpener?.(parent, parent.arguments.indexOf(fn as TSESTree.CallExpressionArgument));
    return wrapped === undefined ? undefined : { kind: 'callback', opener: parent, openerName: wrapped, body: fn };
  }
  if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.PropertyDefinition) {
    const decorator = parent.decorators.find((d) => isTransactionDecorator(d, options));
    if (decorator && runsWithoutTransaction(decorator)) return null;
    if (decorator) {
      return { kind: 'decorator', opener: decorator, openerName: `@${decoratorName(decorator)}()`, body: fn };
    }
    const interceptor = findTransactionInterceptor(parent);
    if (interceptor) return { kind: 'decorator', ...interceptor, body: fn };
    // A method is only called when someone calls it: code outside the class does not reach into it.
    return null;
  }
  return undefined;
}

// typeorm-transactional `Propagation.NOT_SUPPORTED` / `NEVER`, @nestjs-cls/transactional `Propagation.NotSupported` / `Never`.
const nonTransactionalPropagation = /^(NOT_?SUPPORTED|NEVER)$/i;

/** `@Transactional({ propagation: Propagation.NOT_SUPPORTED })`, `@Transactional(Propagation.Never)`: runs outside any transaction. */
function runsWithoutTransaction(decorator: TSESTree.Decorator): boolean {
  if (decorator.expression.type !== AST_NODE_TYPES.CallExpression) return false;
  const propagationOf = (node: TSESTree.Node): string | undefined => {
    if (node.type === AST_NODE_TYPES.MemberExpression) return propertyName(node);
    if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') return node.value;
    return undefined;
  };
  return decorator.expression.arguments.some((argument) => {
    if (argument.type === AST_NODE_TYPES.ObjectExpression) {
      return argument.properties.some(
        (property) =>
          property.type === AST_NODE_TYPES.Property &&
          property.key.type === AST_NODE_TYPES.Identifier &&
          property.key.name === 'propagation' &&
          nonTransactionalPropagation.test(propagationOf(property.value) ?? ''),
      );
    }
    return nonTransactionalPropagation.test(propagationOf(argument) ?? '');
  });
}

/**
 * NestJS `@UseInterceptors(TransactionInterceptor)` on a handler or its controller: the interceptor begins a
 * transaction before the handler runs and commits when it has returned, so the whole handler is inside.
 */
function findTransactionInterceptor(
  member: TSESTree.MethodDefinition | TSESTree.PropertyDefinition,
): Pick<TransactionScope, 'opener' | 'openerName'> | undefined {
  const classNode = member.parent.parent;
  const decorators = [...member.decorators, ...('decorators' in classNode ? classNode.decorators : [])];
  for (const decorator of decorators) {
    const expression = decorator.expression;
    if (expression.type !== AST_NODE_TYPES.CallExpression || calleeName(expression.callee) !== 'UseInterceptors') continue;
    for (const argument of expression.arguments) {
      const target = argument.type === AST_NODE_TYPES.NewExpression ? argument.callee : argument;
      const name = target.type === AST_NODE_TYPES.Identifier ? target.name : undefined;
      // `TransactionLoggingInterceptor` and the like only observe.
      if (name !== undefined && /Transaction/.test(name) && !/(Logging|Logger|Tracing|Trace|Metric)/.test(name)) {
        return { opener: decorator, openerName: `@UseInterceptors(${name})` };
      }
    }
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
