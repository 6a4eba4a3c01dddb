import ts from 'typescript';
import { defaultExternalCallOptions, type ExternalCall, type ExternalCallOptions } from './external-call.js';
import { classifyTypedCall, skipWrappers, tsCalleeName, tsCalleeText } from './external-call-types.js';
import { isBeginSql, isEndSql } from './transaction-scope.js';

/** How far to follow calls. */
export interface CallGraphOptions {
  /** How many calls deep to follow from the call site; the network call itself is the last step. */
  readonly maxDepth: number;
}

export const defaultCallGraphOptions: CallGraphOptions = { maxDepth: 5 };

export const callGraphOptionsSchema = {
  maxDepth: {
    type: 'integer',
    minimum: 1,
    maximum: 20,
    description: 'How many calls deep to follow from the call site (type-aware only).',
  },
} as const;

/** What a search looks for at the end of a path: a call (`stripe.charges.create`) or a function (`@Transactional()`). */
export interface PathSearch<T> {
  /** Names the search in the per-program cache: two searches with the same id must find the same things. */
  readonly id: string;
  matchCall?(call: ts.CallExpression, program: ts.Program): Match<T> | undefined;
  matchFunction?(fn: ts.FunctionLikeDeclaration, program: ts.Program): Match<T> | undefined;
}

export interface Match<T> {
  readonly label: string;
  readonly value: T;
}

/** A chain of calls from a call site to what the search looks for. */
export interface CallPath<T> {
  /** One label per call: `['settlePayment', 'handler.settle (StripeHandler.settle)', 'stripe.paymentIntents.capture']`. */
  readonly steps: readonly string[];
  readonly value: T;
}

type FunctionWithBody = ts.FunctionLikeDeclaration & { readonly body: ts.Node };

interface ProgramCache {
  /** Per search id, per function: its path, null when it has none or is being analysed (a cycle). */
  readonly results: Map<string, Map<ts.Node, CallPath<unknown> | null>>;
  memberIndex?: Map<string, FunctionWithBody[]>;
  readonly implementations: Map<ts.Node, Map<string, Implementation[]>>;
}

interface Implementation {
  readonly fn: FunctionWithBody;
  readonly name: string;
}

const programCaches = new WeakMap<ts.Program, ProgramCache>();

function cacheFor(program: ts.Program): ProgramCache {
  let cache = programCaches.get(program);
  if (!cache) {
    cache = { results: new Map(), implementations: new Map() };
    programCaches.set(program, cache);
  }
  return cache;
}

/**
 * Follows a call through the program to something the search matches: the call itself, or a call
 * made by a function it reaches (through interface members to every implementation). Each function
 * is analysed once per program and search; the path is at most `maxDepth` calls long.
 */
export function findCallPath<T>(
  call: ts.CallExpression,
  program: ts.Program,
  search: PathSearch<T>,
  options: CallGraphOptions = defaultCallGraphOptions,
): CallPath<T> | undefined {
  const walker = new CallWalker(program, search, options.maxDepth);
  return walker.pathFromCall(call);
}

/** The network call a call reaches, directly or through the functions it calls. */
export function findNetworkPath(
  call: ts.CallExpression,
  program: ts.Program,
  options: ExternalCallOptions & CallGraphOptions = { ...defaultExternalCallOptions, ...defaultCallGraphOptions },
): CallPath<ExternalCall> | undefined {
  return findCallPath(call, program, networkSearch(options), options);
}

/**
 * The network call a function passed by reference reaches when it runs: `knex.transaction(insertLines)`,
 * `dataSource.transaction(this.settle.bind(this))`. Undefined when the reference is not a function of the program.
 */
export function findNetworkPathFromReference(
  reference: ts.Expression,
  program: ts.Program,
  options: ExternalCallOptions & CallGraphOptions = { ...defaultExternalCallOptions, ...defaultCallGraphOptions },
): CallPath<ExternalCall> | undefined {
  const walker = new CallWalker(program, networkSearch(options), options.maxDepth);
  return walker.pathFromReference(reference);
}

/** What opens a transaction, as {@link findTransactionWrapper} needs it (a subset of TransactionScopeOptions). */
export interface TransactionOpeners {
  readonly transactionDecorators: readonly string[];
  readonly transactionCallees: readonly string[];
  readonly transactionBeginCallees?: readonly string[];
  readonly transactionEndCallees?: readonly string[];
}

/**
 * The transaction a project's own helper runs its callback argument in: `withTx(async (tx) => …)` where
 * `withTx(fn)` calls `prisma.$transaction(fn)`, or a `@Transactional()` method that calls `fn()`. Returns
 * how to name the opener (`withTx() → prisma.$transaction()`), or undefined.
 */
export function findTransactionWrapper(
  call: ts.CallExpression,
  argumentIndex: number,
  program: ts.Program,
  openers: TransactionOpeners,
): string | undefined {
  const declaration = program.getTypeChecker().getResolvedSignature(call)?.declaration;
  if (!declaration || !hasBody(declaration) || !ts.isBlock(declaration.body)) return undefined;
  const file = declaration.getSourceFile();
  if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file)) return undefined;
  const parameter = declaration.parameters[argumentIndex];
  if (!parameter || !ts.isIdentifier(parameter.name)) return undefined;
  const callbackName = parameter.name.text;
  const wrapper = `${tsCalleeText(call.expression)}()`;
  const decorator = (ts.canHaveDecorators(declaration) ? (ts.getDecorators(declaration) ?? []) : [])
    .map((d) => tsCalleeName(ts.isCallExpression(d.expression) ? d.expression.expression : d.expression))
    .find((name) => name !== undefined && openers.transactionDecorators.includes(name));
  if (decorator !== undefined && usesIdentifier(declaration.body, callbackName, true)) return `${wrapper} → @${decorator}()`;
  let opener: string | undefined;
  const visit = (node: ts.Node): void => {
    if (opener !== undefined) return;
    if (ts.isCallExpression(node)) {
      const name = tsCalleeName(node.expression);
      // The callback is the transaction's callback, or is called from it: `$transaction(fn)`, `$transaction((tx) => fn(tx))`.
      if (name !== undefined && openers.transactionCallees.includes(name) && node.arguments.some((a) => usesIdentifier(a, callbackName, false))) {
        opener = `${wrapper} → ${tsCalleeText(node.expression)}()`;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration.body);
  return opener ?? imperativeOpener(declaration.body, callbackName, wrapper, openers);
}

/**
 * `runInTransaction(work)` written imperatively: `await queryRunner.startTransaction(); const r = await
 * work(queryRunner); await queryRunner.commitTransaction()`. The callback is called after a begin call
 * with no end call in between (in source order: these helpers are a few straight lines).
 */
function imperativeOpener(body: ts.Block, callbackName: string, wrapper: string, openers: TransactionOpeners): string | undefined {
  let begun: string | undefined;
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || (ts.isFunctionLike(node) && node !== body.parent)) return;
    ts.forEachChild(node, visit);
    if (!ts.isCallExpression(node)) return;
    const name = tsCalleeName(node.expression);
    const callee = skipWrappers(node.expression);
    const argument = node.arguments[0];
    const sql = argument && ts.isStringLiteralLike(argument) ? argument.text : undefined;
    if (ts.isIdentifier(callee) && callee.text === callbackName) {
      if (begun !== undefined) found = `${wrapper} → ${begun}`;
    } else if ((name !== undefined && (openers.transactionBeginCallees ?? []).includes(name)) || (sql !== undefined && isBeginSql(sql))) {
      begun = `${tsCalleeText(node.expression)}()`;
    } else if ((name !== undefined && (openers.transactionEndCallees ?? []).includes(name)) || (sql !== undefined && isEndSql(sql))) {
      begun = undefined;
    }
  };
  ts.forEachChild(body, visit);
  return found;
}

/** True when `node` is the identifier, or (when `calledOnly`, or inside a function) contains a call of it. */
function usesIdentifier(node: ts.Node, name: string, calledOnly: boolean): boolean {
  if (!calledOnly && ts.isIdentifier(node) && node.text === name) return true;
  let found = false;
  const visit = (inner: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(inner) && ts.isIdentifier(skipWrappers(inner.expression)) && (skipWrappers(inner.expression) as ts.Identifier).text === name) {
      found = true;
      return;
    }
    ts.forEachChild(inner, visit);
  };
  visit(node);
  return found;
}

const networkSearches = new WeakMap<ExternalCallOptions, PathSearch<ExternalCall>>();

function networkSearch(options: ExternalCallOptions): PathSearch<ExternalCall> {
  let search = networkSearches.get(options);
  if (!search) {
    const id = `network:${JSON.stringify([options.sdkPackages, options.httpPackages, options.networkGlobals, options.localMethods])}`;
    search = {
      id,
      matchCall(call, program) {
        const external = classifyTypedCall(call, program, options);
        return external && { label: external.displayName, value: external };
      },
    };
    networkSearches.set(options, search);
  }
  return search;
}

// Calls to the standard library that never lead into the program's own code; skipped before asking the checker.
const standardMethods = new Set([
  'log', 'warn', 'error', 'info', 'debug', 'trace', 'push', 'pop', 'shift', 'unshift', 'map', 'filter', 'reduce',
  'forEach', 'find', 'findIndex', 'some', 'every', 'includes', 'indexOf', 'join', 'split', 'slice', 'splice',
  'concat', 'sort', 'reverse', 'flat', 'flatMap', 'fill', 'stringify', 'parse', 'keys', 'values', 'entries',
  'assign', 'freeze', 'isArray', 'toString', 'toFixed', 'toISOString', 'getTime', 'trim', 'replace', 'replaceAll',
  'startsWith', 'endsWith', 'padStart', 'padEnd', 'toUpperCase', 'toLowerCase', 'max', 'min', 'floor', 'ceil',
  'round', 'abs', 'now', 'random', 'resolve', 'reject', 'all', 'allSettled', 'race', 'then', 'catch', 'finally',
  'String', 'Number', 'Boolean', 'BigInt', 'Symbol', 'require', 'parseInt', 'parseFloat', 'isNaN', 'structuredClone',
]);

class CallWalker<T> {
  private readonly checker: ts.TypeChecker;
  private readonly cache: ProgramCache;
  private readonly results: Map<ts.Node, CallPath<unknown> | null>;

  constructor(
    private readonly program: ts.Program,
    private readonly search: PathSearch<T>,
    private readonly maxDepth: number,
  ) {
    this.checker = program.getTypeChecker();
    this.cache = cacheFor(program);
    // Paths are cut at maxDepth, so results for different depths are kept apart.
    const key = `${search.id}|${maxDepth}`;
    let results = this.cache.results.get(key);
    if (!results) {
      results = new Map();
      this.cache.results.set(key, results);
    }
    this.results = results;
  }

  pathFromCall(call: ts.CallExpression): CallPath<T> | undefined {
    const name = tsCalleeName(call.expression);
    if (name !== undefined && standardMethods.has(name)) return undefined;
    const direct = this.search.matchCall?.(call, this.program);
    if (direct) return { steps: [direct.label], value: direct.value };
    if (this.maxDepth < 2) return undefined;
    for (const target of this.targetsOf(call)) {
      const path = this.pathFromFunction(target.fn);
      if (path && path.steps.length < this.maxDepth) {
        return { steps: [target.name, ...path.steps], value: path.value };
      }
    }
    return undefined;
  }

  pathFromReference(reference: ts.Expression): CallPath<T> | undefined {
    let expression = skipWrappers(reference);
    // `this.settle.bind(this)` runs `this.settle`.
    if (ts.isCallExpression(expression) && tsCalleeName(expression.expression) === 'bind' && ts.isPropertyAccessExpression(expression.expression)) {
      expression = skipWrappers(expression.expression.expression);
    }
    if (!ts.isIdentifier(expression) && !ts.isPropertyAccessExpression(expression)) return undefined;
    let symbol = this.checker.getSymbolAtLocation(expression);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    let declaration: ts.Node | undefined = symbol?.valueDeclaration;
    if (declaration && (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.initializer) {
      declaration = skipWrappers(declaration.initializer);
    }
    if (!declaration || !hasBody(declaration) || !this.isProgramCode(declaration)) return undefined;
    const path = this.pathFromFunction(declaration);
    return path && path.steps.length < this.maxDepth
      ? { steps: [tsCalleeText(expression), ...path.steps], value: path.value }
      : undefined;
  }

  private pathFromFunction(fn: FunctionWithBody): CallPath<T> | undefined {
    if (this.results.has(fn)) return (this.results.get(fn) as CallPath<T> | null) ?? undefined;
    this.results.set(fn, null);
    const path = this.computePathFromFunction(fn);
    this.results.set(fn, path ?? null);
    return path;
  }

  private computePathFromFunction(fn: FunctionWithBody): CallPath<T> | undefined {
    const own = this.search.matchFunction?.(fn, this.program);
    if (own) return { steps: [own.label], value: own.value };
    let found: CallPath<T> | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node)) found = this.pathFromCall(node);
      if (!found) ts.forEachChild(node, visit);
    };
    visit(fn.body);
    return found;
  }

  /** The functions in the program a call may run: its declaration, or every implementation of an interface member. */
  private targetsOf(call: ts.CallExpression): Implementation[] {
    const label = tsCalleeText(call.expression);
    const declaration = this.checker.getResolvedSignature(call)?.declaration;
    if (!declaration || !this.isProgramCode(declaration)) return [];
    if (hasBody(declaration)) {
      const ownerIsAbstractOrOverridden = ts.isMethodDeclaration(declaration) && ts.isClassLike(declaration.parent);
      const overrides = ownerIsAbstractOrOverridden ? this.implementationsOf(declaration.parent, memberName(declaration)) : [];
      return [{ fn: declaration, name: label }, ...overrides.map((impl) => ({ fn: impl.fn, name: `${label} (${impl.name})` }))];
    }
    const member = memberOfSignature(declaration);
    if (!member) return [];
    return this.implementationsOf(member.container, member.name).map((impl) => ({
      fn: impl.fn,
      name: `${label} (${impl.name})`,
    }));
  }

  private isProgramCode(node: ts.Node): boolean {
    const file = node.getSourceFile();
    return !file.isDeclarationFile && !this.program.isSourceFileFromExternalLibrary(file);
  }

  /** Class methods that implement or override `name` of the container, and object-literal members typed by it. */
  private implementationsOf(container: ts.Node, name: string | undefined): Implementation[] {
    if (name === undefined) return [];
    let byName = this.cache.implementations.get(container);
    if (!byName) {
      byName = new Map();
      this.cache.implementations.set(container, byName);
    }
    let found = byName.get(name);
    if (!found) {
      found = this.memberIndex()
        .get(name)
        ?.filter((fn) => fn.parent !== container && this.implementsContainer(fn, container))
        .map((fn) => ({ fn, name: implementationName(fn, name) })) ?? [];
      byName.set(name, found);
    }
    return found;
  }

  private implementsContainer(fn: FunctionWithBody, container: ts.Node): boolean {
    const owner = ownerOf(fn);
    if (!owner) return false;
    if (ts.isClassLike(owner)) return this.inherits(owner, container, new Set());
    const contextual = this.checker.getContextualType(owner);
    if (!contextual) return false;
    const types = contextual.isUnion() ? contextual.types : [contextual];
    return types.some((type) => (type.getSymbol() ?? type.aliasSymbol)?.declarations?.includes(container as ts.Declaration));
  }

  private inherits(declaration: ts.Node, container: ts.Node, seen: Set<ts.Node>): boolean {
    if (seen.has(declaration)) return false;
    seen.add(declaration);
    if (!ts.isClassLike(declaration) && !ts.isInterfaceDeclaration(declaration)) return false;
    for (const clause of declaration.heritageClauses ?? []) {
      for (const type of clause.types) {
        let symbol = this.checker.getSymbolAtLocation(type.expression);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
        for (const parent of symbol?.declarations ?? []) {
          if (parent === container || this.inherits(parent, container, seen)) return true;
        }
      }
    }
    return false;
  }

  /** Every named function-valued member in the program's own files, built once per program. */
  private memberIndex(): Map<string, FunctionWithBody[]> {
    if (this.cache.memberIndex) return this.cache.memberIndex;
    const index = new Map<string, FunctionWithBody[]>();
    const add = (name: string | undefined, fn: ts.Node | undefined): void => {
      if (name === undefined || !fn || !hasBody(fn)) return;
      const list = index.get(name) ?? [];
      list.push(fn);
      index.set(name, list);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isMethodDeclaration(node)) add(memberName(node), node);
      else if ((ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) && node.initializer) {
        add(memberName(node), skipWrappers(node.initializer));
      }
      ts.forEachChild(node, visit);
    };
    for (const file of this.program.getSourceFiles()) {
      if (this.isProgramCode(file)) visit(file);
    }
    this.cache.memberIndex = index;
    return index;
  }
}

function hasBody(node: ts.Node): node is FunctionWithBody {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)) &&
    node.body !== undefined
  );
}

function memberName(node: ts.MethodDeclaration | ts.PropertyAssignment | ts.PropertyDeclaration | ts.MethodSignature | ts.PropertySignature): string | undefined {
  const name = node.name;
  return ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name) ? name.text : undefined;
}

/** The interface/type member a body-less declaration belongs to: `send(m): Promise<void>`, `send: (m) => Promise<void>`. */
function memberOfSignature(declaration: ts.Node): { container: ts.Node; name: string | undefined } | undefined {
  let member: ts.Node = declaration;
  if (ts.isFunctionTypeNode(member)) member = member.parent;
  if (!(ts.isMethodSignature(member) || ts.isPropertySignature(member) || ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member))) {
    return undefined;
  }
  return { container: member.parent, name: memberName(member) };
}

/** The class or object literal a function is a member of. */
function ownerOf(fn: FunctionWithBody): ts.ClassLikeDeclaration | ts.ObjectLiteralExpression | undefined {
  const member = ts.isMethodDeclaration(fn) ? fn : fn.parent;
  const owner = member.parent;
  return owner && (ts.isClassLike(owner) || ts.isObjectLiteralExpression(owner)) ? owner : undefined;
}

/** `StripeHandler.settle`, `stripeHandler.settle` for `const stripeHandler: Handler = { settle() {} }`. */
function implementationName(fn: FunctionWithBody, member: string): string {
  const owner = ownerOf(fn);
  if (owner && ts.isClassLike(owner)) return `${owner.name?.text ?? 'class'}.${member}`;
  const holder = owner?.parent;
  if (holder && (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder)) && ts.isIdentifier(holder.name)) {
    return `${holder.name.text}.${member}`;
  }
  return member;
}
