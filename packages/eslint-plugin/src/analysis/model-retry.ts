/**
 * What a hand-rolled retry is: a loop that runs a failing step again, a sleep between tries, a retry
 * library wrapped around the call. Inside `executeInternal` each one duplicates what `Outcome.retry`
 * asks the runtime to do durably.
 */
import { ASTUtils, AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import { childNodes } from './model-ast.js';

export interface RetryOptions {
  /** Functions that pause: `await sleep(ms)`, `await this.delay(ms)`. */
  sleepFunctions?: string[];
  /** Packages whose exports retry a function: `pRetry(fn)`, `retry(fn)`, `backOff(fn)`. */
  retryPackages?: string[];
}

export const defaultRetryOptions: Readonly<Required<RetryOptions>> = {
  sleepFunctions: ['sleep', 'delay', 'wait', 'pause', 'backoff'],
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
const attemptWords = /attempt|retr(y|ies)|tries|backoff|delay/i;

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

function isFunction(node: TSESTree.Node): boolean {
  return (
    node.type === AST_NODE_TYPES.FunctionExpression ||
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration
  );
}

/** The name a call is made by: `sleep` for `sleep()`, `this.sleep()` and `utils.sleep()`. */
function calledName(call: TSESTree.CallExpression): string | undefined {
  const callee = call.callee;
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) {
    return callee.property.name;
  }
  return undefined;
}

function importSourceOf(identifier: TSESTree.Identifier, sourceCode: TSESLint.SourceCode): { module: string; imported: string } | undefined {
  const definition = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier.name)?.defs[0];
  const node = definition?.node;
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

/**
 * A pause: an awaited call of a sleep function, of `setTimeout` from `timers/promises`, or
 * `await new Promise((resolve) => setTimeout(resolve, ms))`.
 */
export function isSleep(node: TSESTree.CallExpression | TSESTree.NewExpression, sourceCode: TSESLint.SourceCode, options: Required<RetryOptions>): boolean {
  if (node.parent.type !== AST_NODE_TYPES.AwaitExpression) return false;
  if (node.type === AST_NODE_TYPES.NewExpression) return isTimeoutPromise(node);
  const name = calledName(node);
  if (name === undefined) return false;
  if (options.sleepFunctions.includes(name)) return true;
  const root = node.callee.type === AST_NODE_TYPES.MemberExpression ? node.callee.object : node.callee;
  if (root.type !== AST_NODE_TYPES.Identifier) return false;
  const source = importSourceOf(root, sourceCode);
  return source !== undefined && timerPromiseModules.has(source.module) && (name === 'setTimeout' || name === 'wait');
}

function isTimeoutPromise(node: TSESTree.NewExpression): boolean {
  const [executor] = node.arguments;
  if (node.callee.type !== AST_NODE_TYPES.Identifier || node.callee.name !== 'Promise') return false;
  if (executor?.type !== AST_NODE_TYPES.ArrowFunctionExpression && executor?.type !== AST_NODE_TYPES.FunctionExpression) return false;
  return containsNode(executor.body, (child) => child.type === AST_NODE_TYPES.CallExpression && calledName(child) === 'setTimeout');
}

/** The retry package a call's function comes from: `pRetry(...)`, `retry(...)`, `backOff(...)`, `policy.execute(...)` is not followed. */
export function retryPackageOf(call: TSESTree.CallExpression, sourceCode: TSESLint.SourceCode, options: Required<RetryOptions>): string | undefined {
  const callee = call.callee;
  const root = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : callee;
  if (root.type !== AST_NODE_TYPES.Identifier) return undefined;
  const source = importSourceOf(root, sourceCode);
  return source && options.retryPackages.includes(source.module) ? source.module : undefined;
}

/**
 * A loop that runs a failing step again: its body catches an error without leaving the loop, and it
 * is not a walk over data (a `for...of` over items) unless its header speaks of attempts or it sleeps.
 */
export function isRetryLoop(loop: Loop, sourceCode: TSESLint.SourceCode, options: Required<RetryOptions>): boolean {
  if (!containsNode(loop.body, (child) => child.type === AST_NODE_TYPES.TryStatement && catchesAndContinues(child))) return false;
  if (loop.type !== AST_NODE_TYPES.ForOfStatement && loop.type !== AST_NODE_TYPES.ForInStatement) return true;
  const header = sourceCode.getText(loop.left) + sourceCode.getText(loop.right);
  return attemptWords.test(header) || containsNode(loop.body, (child) => (child.type === AST_NODE_TYPES.CallExpression || child.type === AST_NODE_TYPES.NewExpression) && isSleep(child, sourceCode, options));
}

/** A `catch` that does not end by leaving (return/throw), so the loop goes round again. */
function catchesAndContinues(node: TSESTree.TryStatement): boolean {
  const handler = node.handler;
  if (!handler) return false;
  const last = handler.body.body[handler.body.body.length - 1];
  return last?.type !== AST_NODE_TYPES.ReturnStatement && last?.type !== AST_NODE_TYPES.ThrowStatement;
}

/** The innermost loop around `node` that is a retry loop, not crossing a function boundary. */
export function enclosingRetryLoop(node: TSESTree.Node, sourceCode: TSESLint.SourceCode, options: Required<RetryOptions>): Loop | undefined {
  for (let current = node.parent; current && !isFunction(current); current = current.parent) {
    if (isLoop(current) && isRetryLoop(current, sourceCode, options)) return current;
  }
  return undefined;
}

/** Depth-first search of a subtree that does not enter nested functions. */
function containsNode(root: TSESTree.Node, predicate: (node: TSESTree.Node) => boolean): boolean {
  const stack: TSESTree.Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (predicate(node)) return true;
    stack.push(...childNodes(node).filter((child) => !isFunction(child)));
  }
  return false;
}
