/**
 * What a hand-rolled retry is, defined once for both retry rules: a loop (or a function that calls
 * itself) that runs the same step again until it goes through, usually with a sleep between tries.
 *
 * A loop retries when
 * - it repeats a step: an awaited call whose callee and arguments do not change between iterations
 *   (a call on the next item, page or cursor is a walk over data, not a retry);
 * - it stops once the step went through: a `return`/`break` outside the `catch` that is not guarded by
 *   an unrelated condition, or a loop condition that reads the step's result;
 * - what sends it round is recorded as its trigger: a caught error, a failed HTTP status, or a state
 *   that is not done yet (polling).
 *
 * `no-retry-loop-in-execute` reports every such loop inside `executeInternal`; `no-hand-rolled-retry`
 * reports those that sleep and repeat a network call, in any code.
 */
import { ASTUtils, AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import ts from 'typescript';
import { tsCalleeName } from './external-call-types.js';
import { childNodes } from './model-ast.js';
import { calleeName, isFunctionNode, propertyName, type FunctionNode } from './transaction-scope.js';

export interface RetryOptions {
  /** Functions that pause when awaited: `await sleep(ms)`, `await this.delay(ms)`. */
  sleepFunctions?: string[];
  /** Packages whose exports retry a function: `pRetry(fn)`, `retry(fn)`, `backOff(fn)`. */
  retryPackages?: string[];
}

export type RetrySettings = Readonly<Required<RetryOptions>>;

export const defaultRetryOptions: RetrySettings = {
  sleepFunctions: ['sleep', 'delay', 'wait', 'pause', 'backoff', 'setTimeoutPromise'],
  retryPackages: ['p-retry', 'async-retry', 'promise-retry', 'retry', 'exponential-backoff', 'ts-retry-promise', '@lifeomic/attempt', 'cockatiel'],
};

export const retryOptionsSchemaProperties: Record<keyof RetryOptions, JSONSchema4> = {
  sleepFunctions: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    uniqueItems: true,
    description: 'Names of functions that pause when awaited.',
  },
  retryPackages: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    uniqueItems: true,
    description: 'Packages whose exports retry a function.',
  },
};

const timerPromiseModules = new Set(['timers/promises', 'node:timers/promises']);

export type Loop =
  | TSESTree.ForStatement
  | TSESTree.WhileStatement
  | TSESTree.DoWhileStatement
  | TSESTree.ForOfStatement
  | TSESTree.ForInStatement;

export function isLoop(node: TSESTree.Node): node is Loop {
  return (
    node.type === AST_NODE_TYPES.ForStatement ||
    node.type === AST_NODE_TYPES.WhileStatement ||
    node.type === AST_NODE_TYPES.DoWhileStatement ||
    node.type === AST_NODE_TYPES.ForOfStatement ||
    node.type === AST_NODE_TYPES.ForInStatement
  );
}

/**
 * Why a retry goes round again: `error` — the step threw and the catch lets the loop continue;
 * `status` — the step's result was checked for a failure (`!res.ok`, `res.status >= 500`, `isRetryable(res)`);
 * `state` — the step's result was checked for a state that is not reached yet (polling `job.status !== 'done'`).
 */
export type RetryTrigger = 'error' | 'status' | 'state';

export type Sleep = TSESTree.CallExpression | TSESTree.NewExpression;

export interface Retry {
  /** The calls that are run again unchanged: the step being retried, in source order. */
  readonly steps: readonly TSESTree.CallExpression[];
  readonly sleeps: readonly Sleep[];
  readonly trigger: RetryTrigger;
  /**
   * Steps whose arguments come from another step's result in the same try: `deleteObjects(list.Contents)`
   * after `listObjects()` works on whatever the read returned, a different batch each time.
   */
  readonly fedByResults: ReadonlySet<TSESTree.CallExpression>;
}

export interface RetryLoop extends Retry {
  readonly loop: Loop;
}

export interface RetryRecursion extends Retry {
  readonly fn: FunctionNode;
  /** The name the function calls itself by. */
  readonly name: string;
  /** Where to report: the function's name. */
  readonly nameNode: TSESTree.Node;
}

// ---------------------------------------------------------------------------------------------------
// Sleeps and retry libraries

/** The name a call is made by: `sleep` for `sleep()`, `this.sleep()` and `utils.sleep()`. */
function calledName(call: TSESTree.CallExpression): string | undefined {
  return calleeName(call.callee);
}

function importSourceOf(identifier: TSESTree.Identifier, sourceCode: TSESLint.SourceCode): { module: string; imported: string } | undefined {
  const node = definitionOf(identifier, sourceCode);
  if (node?.type === AST_NODE_TYPES.ImportSpecifier) {
    const imported = node.imported.type === AST_NODE_TYPES.Identifier ? node.imported.name : node.imported.value;
    return { module: String(node.parent.source?.value), imported };
  }
  if (node?.type === AST_NODE_TYPES.ImportDefaultSpecifier || node?.type === AST_NODE_TYPES.ImportNamespaceSpecifier) {
    return { module: String(node.parent.source.value), imported: 'default' };
  }
  if (node?.type === AST_NODE_TYPES.VariableDeclarator && node.init?.type === AST_NODE_TYPES.CallExpression) {
    const [argument] = node.init.arguments;
    const isRequire = node.init.callee.type === AST_NODE_TYPES.Identifier && node.init.callee.name === 'require';
    if (isRequire && argument?.type === AST_NODE_TYPES.Literal && typeof argument.value === 'string') return { module: argument.value, imported: 'default' };
  }
  return undefined;
}

function definitionOf(identifier: TSESTree.Identifier, sourceCode: TSESLint.SourceCode): TSESTree.Node | undefined {
  return ASTUtils.findVariable(sourceCode.getScope(identifier), identifier.name)?.defs[0]?.node;
}

/** Whether a node's value is waited for: awaited, yielded or returned, possibly through `.then()` or `Promise.all([...])`. */
function isAwaited(node: TSESTree.Node): boolean {
  for (let current = node, parent = node.parent; parent; current = parent, parent = parent.parent) {
    switch (parent.type) {
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.ReturnStatement:
        return true;
      case AST_NODE_TYPES.ArrowFunctionExpression:
        // An expression-bodied callback returns the value to whoever awaits the call it is given to.
        if (parent.body !== current) return false;
        break;
      case AST_NODE_TYPES.MemberExpression:
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
      case AST_NODE_TYPES.ArrayExpression:
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.ConditionalExpression:
      case AST_NODE_TYPES.LogicalExpression:
        break;
      default:
        return false;
    }
  }
  return false;
}

/**
 * A pause: an awaited call of a sleep function (by name, or a local function that returns a timer
 * promise), of `setTimeout` from `timers/promises`, of `promisify(setTimeout)`, or
 * `await new Promise((resolve) => setTimeout(resolve, ms))`. An un-awaited `setTimeout(cb, ms)` schedules
 * work (often a request timeout) and is not a pause.
 */
export function isSleep(node: Sleep, sourceCode: TSESLint.SourceCode, options: RetrySettings): boolean {
  if (!isAwaited(node)) return false;
  if (node.type === AST_NODE_TYPES.NewExpression) return isTimerPromise(node);
  const name = calledName(node);
  if (name !== undefined && options.sleepFunctions.includes(name)) return true;
  if (isPromisifiedTimer(node.callee)) return true;
  const root = node.callee.type === AST_NODE_TYPES.MemberExpression ? node.callee.object : node.callee;
  if (root.type === AST_NODE_TYPES.Identifier) {
    const source = importSourceOf(root, sourceCode);
    if (source) return timerPromiseModules.has(source.module) && (name === 'setTimeout' || name === 'wait');
  }
  return isLocalSleepFunction(node.callee, sourceCode);
}

/** `new Promise((resolve) => setTimeout(resolve, ms))`, `new Promise((r) => { setTimeout(() => r(), ms); })`. */
function isTimerPromise(node: TSESTree.NewExpression): boolean {
  const [executor] = node.arguments;
  if (node.callee.type !== AST_NODE_TYPES.Identifier || node.callee.name !== 'Promise') return false;
  if (!executor || !isFunctionNode(executor)) return false;
  const resolve = executor.params[0];
  if (resolve?.type !== AST_NODE_TYPES.Identifier) return false;
  // The timer must resolve the promise: a timer that rejects is a timeout around some other work.
  return someNode(executor.body, (child) => {
    if (child.type !== AST_NODE_TYPES.CallExpression || calledName(child) !== 'setTimeout') return false;
    const [callback] = child.arguments;
    if (callback?.type === AST_NODE_TYPES.Identifier) return callback.name === resolve.name;
    return callback !== undefined && isFunctionNode(callback) && someNode(callback.body, (inner) =>
      inner.type === AST_NODE_TYPES.CallExpression && inner.callee.type === AST_NODE_TYPES.Identifier && inner.callee.name === resolve.name,
    );
  }, true);
}

/** `promisify(setTimeout)(ms)`. */
function isPromisifiedTimer(callee: TSESTree.Node): boolean {
  return (
    callee.type === AST_NODE_TYPES.CallExpression &&
    calledName(callee) === 'promisify' &&
    callee.arguments[0]?.type === AST_NODE_TYPES.Identifier &&
    callee.arguments[0].name === 'setTimeout'
  );
}

/**
 * A function in the file, under any name, that waits on a timer promise:
 * `const nap = (ms) => new Promise((r) => setTimeout(r, ms))`, `async function pauseFor(ms) { await new Promise(...) }`,
 * or a method of the enclosing class called as `this.pauseFor(ms)`.
 */
function isLocalSleepFunction(callee: TSESTree.Expression, sourceCode: TSESLint.SourceCode): boolean {
  let fn: TSESTree.Node | null | undefined;
  if (callee.type === AST_NODE_TYPES.Identifier) {
    const definition = definitionOf(callee, sourceCode);
    if (definition?.type === AST_NODE_TYPES.FunctionDeclaration) fn = definition;
    else if (definition?.type === AST_NODE_TYPES.VariableDeclarator) fn = definition.init;
  } else if (callee.type === AST_NODE_TYPES.MemberExpression && callee.object.type === AST_NODE_TYPES.ThisExpression) {
    fn = classMethod(callee, propertyName(callee));
  }
  if (!fn) return false;
  if (isPromisifiedTimer(fn)) return true;
  if (!isFunctionNode(fn)) return false;
  const body = fn.body;
  if (body.type === AST_NODE_TYPES.NewExpression) return isTimerPromise(body);
  return (
    body.type === AST_NODE_TYPES.BlockStatement &&
    body.body.some((statement) => {
      const value =
        statement.type === AST_NODE_TYPES.ReturnStatement
          ? statement.argument
          : statement.type === AST_NODE_TYPES.ExpressionStatement && statement.expression.type === AST_NODE_TYPES.AwaitExpression
            ? statement.expression.argument
            : undefined;
      return value?.type === AST_NODE_TYPES.NewExpression && isTimerPromise(value);
    })
  );
}

/** The method (or function-valued field) `name` of the class around `node`. */
function classMethod(node: TSESTree.Node, name: string | undefined): TSESTree.Node | undefined {
  if (name === undefined) return undefined;
  let body: TSESTree.Node | undefined = node.parent;
  while (body && body.type !== AST_NODE_TYPES.ClassBody) body = body.parent;
  if (!body) return undefined;
  for (const element of body.body) {
    if (element.type !== AST_NODE_TYPES.MethodDefinition && element.type !== AST_NODE_TYPES.PropertyDefinition) continue;
    if (element.key.type !== AST_NODE_TYPES.Identifier || element.key.name !== name) continue;
    return element.value ?? undefined;
  }
  return undefined;
}

/** The retry package a call's function comes from: `pRetry(...)`, `retry(...)`, `backOff(...)`, `Policy.handleAll()`. */
export function retryPackageOf(call: TSESTree.CallExpression, sourceCode: TSESLint.SourceCode, options: RetrySettings): string | undefined {
  const callee = call.callee;
  const root = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : callee;
  if (root.type !== AST_NODE_TYPES.Identifier) return undefined;
  const source = importSourceOf(root, sourceCode);
  return source && options.retryPackages.includes(source.module) ? source.module : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Retry loops

interface Assignment {
  readonly names: readonly string[];
  /** The assigned value; `undefined` for `x++`, which always changes `x`. */
  readonly value: TSESTree.Node | undefined;
  /** Declared in the body (`const res = ...`): a fresh value each iteration, not one carried over. */
  readonly declared: boolean;
  /** Made inside a `try` whose `catch` lets the loop go round: `ok = true` after the call. */
  readonly afterStepInTry: boolean;
}

interface CallFact {
  readonly call: TSESTree.CallExpression;
  /** Inside a catch block or a `.catch(cb)` callback: error handling, not the step. */
  readonly inCatch: boolean;
  readonly inRetryingTry: boolean;
}

interface BodyFacts {
  readonly calls: CallFact[];
  readonly sleeps: Sleep[];
  /** `return`/`break` statements that leave the loop (or the function), outside a catch block. */
  readonly exits: TSESTree.Node[];
  readonly assignments: Assignment[];
  /** Conditions outside catch blocks: where the loop decides between going round and stopping. */
  readonly conditions: TSESTree.Node[];
  /** Parameters of callbacks inside the body: `(item) => send(item)` varies with the item. */
  readonly callbackParams: Set<string>;
  /** Calls deferred by a timer: `setTimeout(() => send(msg, n - 1), ms)`. */
  readonly deferredCalls: Set<TSESTree.CallExpression>;
}

interface WalkState {
  readonly inCatch: boolean;
  readonly inRetryingTry: boolean;
  readonly inCallback: boolean;
  readonly deferred: boolean;
}

const loopResults = new WeakMap<RetrySettings, WeakMap<Loop, RetryLoop | null>>();

/** The retry a loop is, if it is one. Computed once per loop and option set. */
export function findRetryLoop(loop: Loop, sourceCode: TSESLint.SourceCode, options: RetrySettings): RetryLoop | undefined {
  let cache = loopResults.get(options);
  if (!cache) {
    cache = new WeakMap();
    loopResults.set(options, cache);
  }
  const cached = cache.get(loop);
  if (cached !== undefined) return cached ?? undefined;
  const facts = collectFacts(loop.body, loop, sourceCode, options);
  const retry = retryOf(facts, loopVariables(loop), loopTest(loop));
  const result = retry ? { ...retry, loop } : undefined;
  cache.set(loop, result ?? null);
  return result;
}

/** The innermost retry loop around `node`, not crossing a function boundary. */
export function enclosingRetryLoop(node: TSESTree.Node, sourceCode: TSESLint.SourceCode, options: RetrySettings): RetryLoop | undefined {
  for (let current = node.parent; current && !isFunctionNode(current); current = current.parent) {
    if (isLoop(current) && current.body !== node) {
      const retry = findRetryLoop(current, sourceCode, options);
      if (retry) return retry;
    }
  }
  return undefined;
}

/**
 * A function that retries by calling itself: from its `catch` (or a `.catch(cb)`), or after checking
 * the step's result, usually after a sleep or from a `setTimeout` callback:
 * `catch (e) { if (n === 0) throw e; await sleep(ms); return send(msg, n - 1); }`.
 */
export function findRetryRecursion(fn: FunctionNode, sourceCode: TSESLint.SourceCode, options: RetrySettings): RetryRecursion | undefined {
  const own = ownName(fn);
  if (!own || fn.body.type !== AST_NODE_TYPES.BlockStatement) return undefined;
  // Cheap text filter before the walk: most functions never mention their own name.
  if (!sourceCode.getText(fn.body).includes(`${own.name}(`)) return undefined;
  const facts = collectFacts(fn.body, undefined, sourceCode, options);
  const selfCalls = facts.calls.filter((fact) => calledName(fact.call) === own.name && isSelfCallee(fact.call.callee));
  if (selfCalls.length === 0) return undefined;
  const selfCallNodes = new Set(selfCalls.map((fact) => fact.call));
  // Callback-style code retries promises nobody awaits (`client.send(m).catch(() => setTimeout(...))`), so any call counts.
  const steps = facts.calls.filter((fact) => !fact.inCatch && !selfCallNodes.has(fact.call)).map((fact) => fact.call);
  if (steps.length === 0) return undefined;
  const stepSet = new Set(steps);
  const results = resultNames(facts.assignments, stepSet);
  // A call on the step's result (`fetchAll(page.next)`) walks on to the next page; a retry repeats itself.
  const retries = selfCalls.filter((fact) => !fact.call.arguments.some((argument) => references(argument, results)));
  const trigger = strongest(
    retries.map((fact) => (fact.inCatch ? 'error' : triggerOfGuards(guardsOf(fact.call, fn.body), results, stepSet))),
  );
  if (!trigger) return undefined;
  const deferred = retries.filter((fact) => facts.deferredCalls.has(fact.call)).map((fact) => fact.call);
  return { fn, name: own.name, nameNode: own.node, steps, sleeps: [...facts.sleeps, ...deferred], trigger, fedByResults: fedBy(steps, results) };
}

function triggerOfGuards(guards: readonly TSESTree.Node[], results: ReadonlySet<string>, steps: ReadonlySet<TSESTree.CallExpression>): RetryTrigger | undefined {
  if (guards.some(isFailureCheck)) return 'status';
  return guards.some((guard) => mentionsResult(guard, results, steps)) ? 'state' : undefined;
}

function fedBy(steps: readonly TSESTree.CallExpression[], results: ReadonlySet<string>): Set<TSESTree.CallExpression> {
  return new Set(steps.filter((step) => step.arguments.some((argument) => references(argument, results))));
}

const triggerOrder: readonly RetryTrigger[] = ['error', 'status', 'state'];

function strongest(triggers: readonly (RetryTrigger | undefined)[]): RetryTrigger | undefined {
  return triggerOrder.find((trigger) => triggers.includes(trigger));
}

function retryOf(facts: BodyFacts, headerNames: readonly string[], test: TSESTree.Node | null): Retry | undefined {
  const awaited = facts.calls.filter((fact) => !fact.inCatch && isAwaited(fact.call));
  // Most loops await nothing; the data flow below is only worth it for those that do.
  if (awaited.length === 0) return undefined;
  const varying = varyingNames(facts, headerNames);
  const steps = awaited.filter((fact) => !references(fact.call, varying)).map((fact) => fact.call);
  if (steps.length === 0) return undefined;
  const stepSet = new Set(steps);
  const results = resultNames(facts.assignments, stepSet);
  const stops =
    (test !== null && mentionsResult(test, results, stepSet)) ||
    facts.exits.some((exit) => guardsOf(exit, undefined).every((guard) => mentionsResult(guard, results, stepSet)));
  if (!stops) return undefined;
  const checks = [...(test ? [test] : []), ...facts.conditions.filter((condition) => mentionsResult(condition, results, stepSet))];
  const retriedOnError = facts.calls.some((fact) => fact.inRetryingTry && stepSet.has(fact.call));
  const trigger: RetryTrigger = retriedOnError ? 'error' : checks.some(isFailureCheck) ? 'status' : 'state';
  return { steps, sleeps: facts.sleeps, trigger, fedByResults: fedBy(steps, results) };
}

/**
 * One pass over a loop body (or a function body, `loop` undefined): calls, sleeps, exits, assignments
 * and conditions. Nested loops are their own retries and are not entered, except for the `return`s
 * that leave this loop too; nested function declarations are not entered.
 */
function collectFacts(body: TSESTree.Node, loop: Loop | undefined, sourceCode: TSESLint.SourceCode, options: RetrySettings): BodyFacts {
  const facts: BodyFacts = {
    calls: [],
    sleeps: [],
    exits: [],
    assignments: [],
    conditions: [],
    callbackParams: new Set(),
    deferredCalls: new Set(),
  };
  const stack: { node: TSESTree.Node; state: WalkState }[] = [
    { node: body, state: { inCatch: false, inRetryingTry: false, inCallback: false, deferred: false } },
  ];
  const push = (node: TSESTree.Node, state: WalkState) => stack.push({ node, state });
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, state } = item;
    if (node !== body && isLoop(node) && loop) {
      collectReturns(node, facts);
      continue;
    }
    switch (node.type) {
      case AST_NODE_TYPES.FunctionDeclaration:
        continue;
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.FunctionExpression: {
        if (node === body) break;
        for (const param of node.params) for (const name of assignedNames(param)) facts.callbackParams.add(name);
        const call = node.parent.type === AST_NODE_TYPES.CallExpression ? node.parent : undefined;
        const name = call && calledName(call);
        const inCatch = state.inCatch || (name === 'catch' && call?.callee.type === AST_NODE_TYPES.MemberExpression);
        push(node.body, { ...state, inCatch, inCallback: true, deferred: state.deferred || name === 'setTimeout' });
        continue;
      }
      case AST_NODE_TYPES.CallExpression:
        if (isSleep(node, sourceCode, options)) {
          facts.sleeps.push(node);
          // `sleep(ms).then(() => retry())` defers what follows.
          if (node.parent.type === AST_NODE_TYPES.MemberExpression) break;
          continue;
        }
        // `.then()`/`.catch()` on a call's promise are not calls of their own: the call they chain on is the step.
        if (!isPromiseChain(node)) facts.calls.push({ call: node, inCatch: state.inCatch, inRetryingTry: state.inRetryingTry });
        if (state.deferred) facts.deferredCalls.add(node);
        break;
      case AST_NODE_TYPES.NewExpression:
        if (isSleep(node, sourceCode, options)) {
          facts.sleeps.push(node);
          continue;
        }
        break;
      case AST_NODE_TYPES.ReturnStatement:
        if (!state.inCallback && !state.inCatch) facts.exits.push(node);
        break;
      case AST_NODE_TYPES.BreakStatement:
        if (loop && !state.inCatch && breakTarget(node) === loop) facts.exits.push(node);
        break;
      case AST_NODE_TYPES.VariableDeclarator:
        facts.assignments.push({ names: assignedNames(node.id), value: node.init ?? undefined, declared: true, afterStepInTry: state.inRetryingTry });
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        facts.assignments.push({ names: assignedNames(node.left), value: node.right, declared: false, afterStepInTry: state.inRetryingTry });
        break;
      case AST_NODE_TYPES.UpdateExpression:
        facts.assignments.push({ names: assignedNames(node.argument), value: undefined, declared: false, afterStepInTry: state.inRetryingTry });
        break;
      case AST_NODE_TYPES.IfStatement:
      case AST_NODE_TYPES.ConditionalExpression:
        if (!state.inCatch) facts.conditions.push(node.test);
        break;
      case AST_NODE_TYPES.TryStatement: {
        const retrying = node.handler !== null && catchGoesRound(node.handler, loop);
        push(node.block, { ...state, inRetryingTry: state.inRetryingTry || retrying });
        if (node.handler) push(node.handler, { ...state, inCatch: true });
        if (node.finalizer) push(node.finalizer, state);
        continue;
      }
      default:
        break;
    }
    const children = childNodes(node);
    for (let index = children.length - 1; index >= 0; index--) push(children[index]!, state);
  }
  // The stack visits children in source order; keep calls that way so the first step is the first written.
  facts.calls.sort((a, b) => a.call.range[0] - b.call.range[0]);
  return facts;
}

const promiseMethods = new Set(['then', 'catch', 'finally']);

function isPromiseChain(call: TSESTree.CallExpression): boolean {
  return call.callee.type === AST_NODE_TYPES.MemberExpression && promiseMethods.has(calledName(call) ?? '');
}

/** `return` statements in a nested loop leave the outer loop as well. */
function collectReturns(nested: Loop, facts: BodyFacts): void {
  const stack: TSESTree.Node[] = [nested];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (isFunctionNode(node) || node.type === AST_NODE_TYPES.CatchClause) continue;
    if (node.type === AST_NODE_TYPES.ReturnStatement) facts.exits.push(node);
    stack.push(...childNodes(node));
  }
}

/**
 * A catch that lets the loop go round: it does not end by leaving (`return`, `throw`, a `break` out of
 * the loop). Inside a function (recursion) every catch counts: the recursive call decides.
 */
function catchGoesRound(handler: TSESTree.CatchClause, loop: Loop | undefined): boolean {
  if (!loop) return true;
  const last = handler.body.body[handler.body.body.length - 1];
  const leaves =
    last?.type === AST_NODE_TYPES.ReturnStatement ||
    last?.type === AST_NODE_TYPES.ThrowStatement ||
    (last?.type === AST_NODE_TYPES.BreakStatement && breakTarget(last) === loop);
  // `catch (e) { if (transient(e)) { await sleep(ms); continue; } throw e; }` goes round on one branch.
  return !leaves || someNode(handler.body, (node) => node.type === AST_NODE_TYPES.ContinueStatement && continueTarget(node) === loop, false);
}

function continueTarget(node: TSESTree.ContinueStatement): TSESTree.Node | undefined {
  for (let current: TSESTree.Node | undefined = node.parent; current && !isFunctionNode(current); current = current.parent) {
    if (node.label) {
      if (current.type === AST_NODE_TYPES.LabeledStatement && current.label.name === node.label.name) return current.body;
    } else if (isLoop(current)) {
      return current;
    }
  }
  return undefined;
}

/**
 * The names whose value changes from one iteration to the next: the loop's own variables, callback
 * parameters, variables from outside the loop that it assigns (`cursor = page.next`), and body
 * variables computed from any of those.
 */
function varyingNames(facts: BodyFacts, headerNames: readonly string[]): Set<string> {
  const varying = new Set([...headerNames, ...facts.callbackParams]);
  const declared = new Set(facts.assignments.filter((assignment) => assignment.declared).flatMap((assignment) => assignment.names));
  for (const assignment of facts.assignments) {
    if (!assignment.declared) for (const name of assignment.names) if (!declared.has(name)) varying.add(name);
  }
  return closeOver(varying, facts.assignments, (assignment) => assignment.value === undefined || references(assignment.value, varying));
}

/** Names holding the step's result (`const res = await fetch()`), or set after it in the try (`ok = true`), and names computed from them. */
function resultNames(assignments: readonly Assignment[], steps: ReadonlySet<TSESTree.CallExpression>): Set<string> {
  const results = new Set<string>();
  for (const assignment of assignments) {
    if (assignment.afterStepInTry || (assignment.value && someNode(assignment.value, (node) => steps.has(node as TSESTree.CallExpression)))) {
      for (const name of assignment.names) results.add(name);
    }
  }
  return closeOver(results, assignments, (assignment) => assignment.value !== undefined && references(assignment.value, results));
}

function closeOver(names: Set<string>, assignments: readonly Assignment[], spreads: (assignment: Assignment) => boolean): Set<string> {
  for (let changed = true; changed; ) {
    changed = false;
    for (const assignment of assignments) {
      if (assignment.names.every((name) => names.has(name)) || !spreads(assignment)) continue;
      for (const name of assignment.names) names.add(name);
      changed = true;
    }
  }
  return names;
}

/** A condition about the step: it reads the step's result or makes the step itself (`if (await isReady())`). */
function mentionsResult(condition: TSESTree.Node, results: ReadonlySet<string>, steps: ReadonlySet<TSESTree.CallExpression>): boolean {
  return references(condition, results) || someNode(condition, (node) => steps.has(node as TSESTree.CallExpression));
}

/** The conditions a statement runs under, inside `root` (or the enclosing loop body when `root` is undefined). */
function guardsOf(node: TSESTree.Node, root: TSESTree.Node | undefined): TSESTree.Node[] {
  const guards: TSESTree.Node[] = [];
  for (let current = node, parent = node.parent; parent && parent !== root; current = parent, parent = parent.parent) {
    if (!root && isLoop(parent)) break;
    if (isFunctionNode(parent)) break;
    if (parent.type === AST_NODE_TYPES.IfStatement && parent.test !== current) guards.push(parent.test);
    if (parent.type === AST_NODE_TYPES.ConditionalExpression && parent.test !== current) guards.push(parent.test);
    if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.right === current) guards.push(parent.left);
    if (parent.type === AST_NODE_TYPES.SwitchCase && parent.parent.discriminant !== current) guards.push(parent.parent.discriminant);
  }
  return guards;
}

const retryableCheck = /retr(y|iable)|transient|throttl|ratelimit|temporar|recoverable/i;
const statusName = /status|code/i;

/** A check for a failed result: `res.ok`, `res.status >= 500`, `statusCode === 429`, `isRetryable(res)`. */
export function isFailureCheck(condition: TSESTree.Node): boolean {
  return someNode(condition, (node) => {
    if (node.type === AST_NODE_TYPES.MemberExpression && propertyName(node) === 'ok') return true;
    if (node.type === AST_NODE_TYPES.CallExpression) return retryableCheck.test(calledName(node) ?? '');
    if (node.type !== AST_NODE_TYPES.BinaryExpression) return false;
    const sides = [node.left, node.right];
    const httpCode = sides.some((side) => side.type === AST_NODE_TYPES.Literal && typeof side.value === 'number' && side.value >= 100 && side.value < 600);
    return httpCode && sides.some((side) => side.type !== AST_NODE_TYPES.Literal && statusName.test(lastName(side) ?? ''));
  }, true);
}

function lastName(node: TSESTree.Node): string | undefined {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.MemberExpression) return propertyName(node);
  if (node.type === AST_NODE_TYPES.ChainExpression) return lastName(node.expression);
  return undefined;
}

function loopTest(loop: Loop): TSESTree.Node | null {
  return loop.type === AST_NODE_TYPES.ForOfStatement || loop.type === AST_NODE_TYPES.ForInStatement ? null : loop.test;
}

/** The variables a loop header declares or steps: `for (const item of items)`, `for (let i = 0; ...; i++)`. */
function loopVariables(loop: Loop): string[] {
  if (loop.type === AST_NODE_TYPES.ForOfStatement || loop.type === AST_NODE_TYPES.ForInStatement) {
    return loop.left.type === AST_NODE_TYPES.VariableDeclaration
      ? loop.left.declarations.flatMap((declarator) => assignedNames(declarator.id))
      : assignedNames(loop.left);
  }
  if (loop.type !== AST_NODE_TYPES.ForStatement) return [];
  const names: string[] = [];
  if (loop.init?.type === AST_NODE_TYPES.VariableDeclaration) names.push(...loop.init.declarations.flatMap((declarator) => assignedNames(declarator.id)));
  else if (loop.init?.type === AST_NODE_TYPES.AssignmentExpression) names.push(...assignedNames(loop.init.left));
  if (loop.update?.type === AST_NODE_TYPES.UpdateExpression) names.push(...assignedNames(loop.update.argument));
  if (loop.update?.type === AST_NODE_TYPES.AssignmentExpression) names.push(...assignedNames(loop.update.left));
  return names;
}

function assignedNames(target: TSESTree.Node): string[] {
  switch (target.type) {
    case AST_NODE_TYPES.Identifier:
      return [target.name];
    case AST_NODE_TYPES.ObjectPattern:
      return target.properties.flatMap((property) =>
        assignedNames(property.type === AST_NODE_TYPES.Property ? property.value : property.argument),
      );
    case AST_NODE_TYPES.ArrayPattern:
      return target.elements.flatMap((element) => (element ? assignedNames(element) : []));
    case AST_NODE_TYPES.AssignmentPattern:
      return assignedNames(target.left);
    case AST_NODE_TYPES.RestElement:
      return assignedNames(target.argument);
    case AST_NODE_TYPES.TSParameterProperty:
      return assignedNames(target.parameter);
    case AST_NODE_TYPES.MemberExpression:
      // `state.offset += 100`: the object changes between tries. `this.cursor = next` is tracked as `this.cursor`.
      if (target.object.type === AST_NODE_TYPES.ThisExpression) return [`this.${propertyName(target) ?? ''}`];
      return target.object.type === AST_NODE_TYPES.Identifier ? [target.object.name] : [];
    default:
      return [];
  }
}

/** The loop a `break` leaves: its label's loop, or the nearest loop unless a switch is nearer. */
function breakTarget(node: TSESTree.BreakStatement): TSESTree.Node | undefined {
  for (let current: TSESTree.Node | undefined = node.parent; current && !isFunctionNode(current); current = current.parent) {
    if (node.label) {
      if (current.type === AST_NODE_TYPES.LabeledStatement && current.label.name === node.label.name) return current.body;
    } else if (current.type === AST_NODE_TYPES.SwitchStatement) {
      return undefined;
    } else if (isLoop(current)) {
      return current;
    }
  }
  return undefined;
}

/** Whether a subtree reads one of the names; property names (`res.status`) and object keys are not reads. */
function references(root: TSESTree.Node, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  return someNode(root, (node) => {
    if (node.type === AST_NODE_TYPES.Identifier) return names.has(node.name) && !isPropertyKey(node);
    if (node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression) {
      return names.has(`this.${propertyName(node) ?? ''}`);
    }
    return false;
  }, false);
}

function isPropertyKey(identifier: TSESTree.Identifier): boolean {
  const parent = identifier.parent;
  if (parent.type === AST_NODE_TYPES.MemberExpression) return parent.property === identifier && !parent.computed;
  if (parent.type === AST_NODE_TYPES.Property) return parent.key === identifier && !parent.computed && !parent.shorthand;
  return false;
}

/** Depth-first search of a subtree; nested functions are entered only when `intoFunctions` is set. */
function someNode(root: TSESTree.Node, predicate: (node: TSESTree.Node) => boolean, intoFunctions = true): boolean {
  const stack: TSESTree.Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (predicate(node)) return true;
    for (const child of childNodes(node)) if (intoFunctions || !isFunctionNode(child)) stack.push(child);
  }
  return false;
}

/**
 * A generic retry helper (`retry(fn, n)`, `withRetry(op)`): the step it repeats is a call of one of
 * its own parameters. Returns the helper, its name and the parameter's position, so a rule can look
 * at what callers pass in.
 */
export function retriedParameter(
  steps: readonly TSESTree.CallExpression[],
  at: TSESTree.Node,
): { fn: FunctionNode; name: string; nameNode: TSESTree.Node; index: number } | undefined {
  let fn: TSESTree.Node | undefined = at;
  while (fn && !isFunctionNode(fn)) fn = fn.parent;
  if (!fn || !isFunctionNode(fn)) return undefined;
  const own = ownName(fn);
  if (!own) return undefined;
  const params = fn.params.map((param) => assignedNames(param)[0]);
  for (const step of steps) {
    const index = step.callee.type === AST_NODE_TYPES.Identifier ? params.indexOf(step.callee.name) : -1;
    if (index !== -1) return { fn, name: own.name, nameNode: own.node, index };
  }
  return undefined;
}

/** A generic retry helper: a function that retries a function it is given, with a loop or by calling itself. */
export function isRetryHelper(fn: FunctionNode, sourceCode: TSESLint.SourceCode, options: RetrySettings): boolean {
  const recursion = findRetryRecursion(fn, sourceCode, options);
  if (recursion && retriedParameter(recursion.steps, fn.body)?.fn === fn) return true;
  const stack: TSESTree.Node[] = [fn.body];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (isLoop(node)) {
      const retry = findRetryLoop(node, sourceCode, options);
      if (retry && retriedParameter(retry.steps, node)?.fn === fn) return true;
    }
    for (const child of childNodes(node)) if (!isFunctionNode(child)) stack.push(child);
  }
  return false;
}

/** The function a callee names in this file: `retry` for `function retry()` or `const retry = async () => ...`. */
export function localFunctionOf(callee: TSESTree.Node, sourceCode: TSESLint.SourceCode): FunctionNode | undefined {
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const definition = definitionOf(callee, sourceCode);
  if (definition?.type === AST_NODE_TYPES.FunctionDeclaration) return definition;
  if (definition?.type === AST_NODE_TYPES.VariableDeclarator && definition.init && isFunctionNode(definition.init)) return definition.init;
  return undefined;
}

/**
 * With type information: the first call anywhere in the program's own files of the helper declared at
 * `nameNode` that passes, at `index`, a function in which `match` accepts a call. Files that never
 * mention the helper's name are skipped by text before the checker is asked.
 */
export function findTypedCaller<T>(
  nameNode: ts.Node,
  index: number,
  program: ts.Program,
  match: (call: ts.CallExpression) => T | undefined,
): { value: T; site: string } | undefined {
  const checker = program.getTypeChecker();
  const helper = symbolOf(nameNode, checker);
  if (!helper || !ts.isIdentifier(nameNode)) return undefined;
  const name = nameNode.text;
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file) || !file.text.includes(`${name}(`)) continue;
    let found: { value: T; site: string } | undefined;
    const visitCallback = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node)) {
        const value = match(node);
        if (value !== undefined) found = { value, site: siteOf(node) };
      }
      ts.forEachChild(node, visitCallback);
    };
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node) && tsCalleeName(node.expression) === name) {
        const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
        const argument = node.arguments[index];
        if (argument && (ts.isArrowFunction(argument) || ts.isFunctionExpression(argument)) && symbolOf(callee, checker) === helper) {
          visitCallback(argument.body);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    if (found) return found;
  }
  return undefined;
}

function symbolOf(node: ts.Node, checker: ts.TypeChecker): ts.Symbol | undefined {
  const symbol = checker.getSymbolAtLocation(node);
  return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function siteOf(node: ts.Node): string {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart());
  return `${file.fileName.split('/').slice(-1)[0]}:${line + 1}`;
}

/** The name a function calls itself by: `function send()`, `const send = async () => ...`, a method `send()`. */
function ownName(fn: FunctionNode): { name: string; node: TSESTree.Node } | undefined {
  if (fn.id) return { name: fn.id.name, node: fn.id };
  const parent = fn.parent;
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return { name: parent.id.name, node: parent.id };
  if (
    parent.type === AST_NODE_TYPES.MethodDefinition ||
    parent.type === AST_NODE_TYPES.Property ||
    parent.type === AST_NODE_TYPES.PropertyDefinition
  ) {
    return parent.key.type === AST_NODE_TYPES.Identifier && !parent.computed ? { name: parent.key.name, node: parent.key } : undefined;
  }
  return undefined;
}

/** `send(...)` or `this.send(...)`: a call of the function itself, not of a same-named method elsewhere. */
function isSelfCallee(callee: TSESTree.Expression): boolean {
  return (
    callee.type === AST_NODE_TYPES.Identifier ||
    (callee.type === AST_NODE_TYPES.MemberExpression && callee.object.type === AST_NODE_TYPES.ThisExpression)
  );
}
