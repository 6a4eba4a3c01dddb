import { AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { callGraphOptionsSchema, defaultCallGraphOptions, findNetworkPath } from '../analysis/call-graph.js';
import { classifyCallBySyntax, defaultExternalCallOptions } from '../analysis/external-call.js';
import { calleeName, isFunctionNode, type FunctionNode } from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

interface RuleOptions {
  readonly sleepFunctions: readonly string[];
  readonly maxDepth: number;
}
type Options = [RuleOptions];
type MessageIds = 'retryLoop' | 'retryRecursion';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;
type Loop =
  | TSESTree.WhileStatement
  | TSESTree.DoWhileStatement
  | TSESTree.ForStatement
  | TSESTree.ForOfStatement
  | TSESTree.ForInStatement;

const advice =
  "A hand-rolled retry has no jitter (every client retries in lockstep and hammers a recovering provider), often no real bound, and no record of what was sent, so a crash mid-loop loses a request that may have gone through. Return the runtime's `Outcome.retry(...)` and let it schedule the next attempt with backoff, or use a retry library with jitter and a bound (p-retry, cockatiel, exponential-backoff).";

export default createRule<Options, MessageIds>({
  name: 'no-hand-rolled-retry',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow hand-rolled loops that re-send a network call after a failure with a sleep between tries',
      recommended: 'strict',
      requiresTypeChecking: true,
    },
    messages: {
      retryLoop: `This loop re-sends '{{callee}}' ({{packageName}}) with a sleep between tries{{through}}. ${advice}`,
      retryRecursion: `'{{name}}' calls itself after '{{callee}}' ({{packageName}}) fails, with a sleep between tries{{through}}. ${advice}`,
    },
    schema: [
      {
        type: 'object',
        properties: {
          sleepFunctions: {
            type: 'array',
            items: { type: 'string' },
            description: 'Functions that pause: a call to one of them (or an awaited `new Promise` around `setTimeout`) is a sleep.',
          },
          ...callGraphOptionsSchema,
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ sleepFunctions: ['sleep', 'delay', 'wait', 'pause', 'setTimeout', 'setTimeoutPromise'], ...defaultCallGraphOptions }],
  create(context, [options]) {
    const checkLoop = (loop: Loop): void => {
      const facts = collectFacts(loop.body, context, options);
      const test = loop.type === AST_NODE_TYPES.ForOfStatement || loop.type === AST_NODE_TYPES.ForInStatement ? null : loop.test;
      // A retry sleeps, and stops once the call went through: it returns, breaks, or its condition changes.
      if (!facts.sleeps || !(facts.exits.has(loop) || (test && references(test, facts.assigned)))) return;
      const varying = new Set([...facts.assigned, ...loopVariables(loop)]);
      const repeated = facts.calls.filter((call) => !call.arguments.some((argument) => references(argument, varying)));
      const network = firstNetworkCall(repeated, context, options);
      if (network) {
        context.report({
          loc: context.sourceCode.getFirstToken(loop)!.loc,
          messageId: 'retryLoop',
          data: network,
        });
      }
    };
    return {
      WhileStatement: checkLoop,
      DoWhileStatement: checkLoop,
      ForStatement: checkLoop,
      ForOfStatement: checkLoop,
      ForInStatement: checkLoop,
      'FunctionDeclaration, FunctionExpression, ArrowFunctionExpression'(fn: FunctionNode) {
        checkRecursion(fn, context, options);
      },
    };
  },
});

interface Facts {
  sleeps: boolean;
  /** Calls in the body, outside nested function declarations. */
  readonly calls: TSESTree.CallExpression[];
  /** Loops a `break` or `return` in the body leaves. */
  readonly exits: Set<TSESTree.Node>;
  /** Names assigned in the body. */
  readonly assigned: Set<string>;
  /** Calls made inside a `catch` block. */
  readonly callsInCatch: TSESTree.CallExpression[];
  /** Calls made inside a `try` block. */
  readonly callsInTry: TSESTree.CallExpression[];
}

/** One pass over a loop or function body: its calls, sleeps, exits and assignments. */
function collectFacts(body: TSESTree.Node, context: Context, options: RuleOptions): Facts {
  const facts: Facts = { sleeps: false, calls: [], exits: new Set(), assigned: new Set(), callsInCatch: [], callsInTry: [] };
  const keys = context.sourceCode.visitorKeys;
  const visit = (node: TSESTree.Node, inTry: boolean, inCatch: boolean): void => {
    switch (node.type) {
      case AST_NODE_TYPES.FunctionDeclaration:
        return;
      case AST_NODE_TYPES.CallExpression:
        if (isSleep(node, options)) facts.sleeps = true;
        else {
          facts.calls.push(node);
          if (inTry) facts.callsInTry.push(node);
          if (inCatch) facts.callsInCatch.push(node);
        }
        break;
      case AST_NODE_TYPES.NewExpression:
        if (isPromiseAroundTimer(node, options)) facts.sleeps = true;
        break;
      case AST_NODE_TYPES.ReturnStatement:
        if (!enclosingFunctionWithin(node, body)) for (const loop of enclosingLoops(node)) facts.exits.add(loop);
        break;
      case AST_NODE_TYPES.BreakStatement: {
        const target = breakTarget(node);
        if (target) facts.exits.add(target);
        break;
      }
      case AST_NODE_TYPES.AssignmentExpression:
        for (const name of assignedNames(node.left)) facts.assigned.add(name);
        break;
      case AST_NODE_TYPES.UpdateExpression:
        if (node.argument.type === AST_NODE_TYPES.Identifier) facts.assigned.add(node.argument.name);
        break;
      case AST_NODE_TYPES.VariableDeclarator:
        for (const name of assignedNames(node.id)) facts.assigned.add(name);
        break;
      case AST_NODE_TYPES.TryStatement:
        visit(node.block, true, inCatch);
        if (node.handler) visit(node.handler, inTry, true);
        if (node.finalizer) visit(node.finalizer, inTry, inCatch);
        return;
      default:
        break;
    }
    for (const key of keys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      const children = Array.isArray(child) ? child : [child];
      for (const item of children) {
        if (item && typeof item === 'object' && 'type' in item) visit(item as TSESTree.Node, inTry, inCatch);
      }
    }
  };
  visit(body, false, false);
  return facts;
}

/** `await sleep(ms)`, `await delay(ms)`, `await setTimeout(ms)` from timers/promises. */
function isSleep(call: TSESTree.CallExpression, options: RuleOptions): boolean {
  if (call.callee.type !== AST_NODE_TYPES.Identifier || !options.sleepFunctions.includes(call.callee.name)) return false;
  // A bare setTimeout(cb, ms) schedules work (often a request timeout); only an awaited one pauses.
  return call.callee.name !== 'setTimeout' || call.parent.type === AST_NODE_TYPES.AwaitExpression;
}

/** `new Promise((resolve) => setTimeout(resolve, ms))`. */
function isPromiseAroundTimer(node: TSESTree.NewExpression, options: RuleOptions): boolean {
  if (node.callee.type !== AST_NODE_TYPES.Identifier || node.callee.name !== 'Promise') return false;
  const executor = node.arguments[0];
  if (!executor || !isFunctionNode(executor)) return false;
  const text = executor.body.type === AST_NODE_TYPES.CallExpression ? calleeName(executor.body.callee) : undefined;
  if (text !== undefined) return text === 'setTimeout' || options.sleepFunctions.includes(text);
  return executor.body.type === AST_NODE_TYPES.BlockStatement && executor.body.body.some((statement) =>
    statement.type === AST_NODE_TYPES.ExpressionStatement &&
    statement.expression.type === AST_NODE_TYPES.CallExpression &&
    calleeName(statement.expression.callee) === 'setTimeout',
  );
}

function enclosingFunctionWithin(node: TSESTree.Node, root: TSESTree.Node): boolean {
  for (let current = node.parent; current && current !== root; current = current.parent) {
    if (isFunctionNode(current)) return true;
  }
  return false;
}

function isLoop(node: TSESTree.Node): node is Loop {
  return (
    node.type === AST_NODE_TYPES.WhileStatement ||
    node.type === AST_NODE_TYPES.DoWhileStatement ||
    node.type === AST_NODE_TYPES.ForStatement ||
    node.type === AST_NODE_TYPES.ForOfStatement ||
    node.type === AST_NODE_TYPES.ForInStatement
  );
}

/** Every loop a `return` leaves, up to the function it is in. */
function enclosingLoops(node: TSESTree.Node): TSESTree.Node[] {
  const loops: TSESTree.Node[] = [];
  for (let current: TSESTree.Node | undefined = node.parent; current && !isFunctionNode(current); current = current.parent) {
    if (isLoop(current)) loops.push(current);
  }
  return loops;
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
    case AST_NODE_TYPES.MemberExpression:
      // `this.cursor = page.next`, `state.offset += 100`: the object changes between tries.
      return target.object.type === AST_NODE_TYPES.Identifier ? [target.object.name] : [];
    default:
      return [];
  }
}

/** The variables a loop header declares: `for (const item of items)`, `for (let i = 0; ...)`. */
function loopVariables(loop: Loop): string[] {
  if (loop.type === AST_NODE_TYPES.ForOfStatement || loop.type === AST_NODE_TYPES.ForInStatement) {
    return loop.left.type === AST_NODE_TYPES.VariableDeclaration
      ? loop.left.declarations.flatMap((declarator) => assignedNames(declarator.id))
      : assignedNames(loop.left);
  }
  if (loop.type === AST_NODE_TYPES.ForStatement && loop.init?.type === AST_NODE_TYPES.VariableDeclaration) {
    return loop.init.declarations.flatMap((declarator) => assignedNames(declarator.id));
  }
  return [];
}

function references(node: TSESTree.Node, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  if (node.type === AST_NODE_TYPES.Identifier) return names.has(node.name);
  for (const value of Object.entries(node)) {
    if (value[0] === 'parent') continue;
    const children = Array.isArray(value[1]) ? value[1] : [value[1]];
    for (const child of children) {
      if (child && typeof child === 'object' && 'type' in child && references(child as TSESTree.Node, names)) return true;
    }
  }
  return false;
}

interface NetworkCallData {
  readonly callee: string;
  readonly packageName: string;
  readonly through: string;
  readonly [key: string]: string;
}

/** The first of the calls that is a network call: by syntax in the file, then (with types) through the program. */
function firstNetworkCall(
  calls: readonly TSESTree.CallExpression[],
  context: Context,
  options: RuleOptions,
): NetworkCallData | undefined {
  for (const call of calls) {
    const direct = classifyCallBySyntax(call, context.sourceCode, defaultExternalCallOptions);
    if (direct) return { callee: direct.displayName, packageName: direct.packageName, through: '' };
  }
  const services = ESLintUtils.getParserServices(context, true);
  if (!services.program) return undefined;
  for (const call of calls) {
    const path = findNetworkPath(services.esTreeNodeToTSNodeMap.get(call), services.program, {
      ...defaultExternalCallOptions,
      maxDepth: options.maxDepth,
    });
    if (path) {
      const through = path.steps.length > 1 ? ` (${path.steps.join(' → ')})` : '';
      return { callee: path.steps[0] ?? '', packageName: path.value.packageName, through };
    }
  }
  return undefined;
}

/** The name a function calls itself by: `function send()`, `const send = async () => ...`, a method `send()`. */
function ownName(fn: FunctionNode): string | undefined {
  if (fn.id) return fn.id.name;
  const parent = fn.parent;
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.Property) {
    return parent.key.type === AST_NODE_TYPES.Identifier ? parent.key.name : undefined;
  }
  return undefined;
}

/** `async function send(msg, attempt = 0) { try { await sgMail.send(msg) } catch { await sleep(...); return send(msg, attempt + 1) } }`. */
function checkRecursion(fn: FunctionNode, context: Context, options: RuleOptions): void {
  const name = ownName(fn);
  if (name === undefined || fn.body.type !== AST_NODE_TYPES.BlockStatement) return;
  const facts = collectFacts(fn.body, context, options);
  const retriesItself = facts.callsInCatch.some((call) => calleeName(call.callee) === name && isSelfCall(call.callee));
  if (!facts.sleeps || !retriesItself) return;
  const network = firstNetworkCall(facts.callsInTry, context, options);
  if (network) {
    context.report({
      loc: (fn.parent.type === AST_NODE_TYPES.MethodDefinition ? fn.parent.key : fn.id ?? fn).loc,
      messageId: 'retryRecursion',
      data: { ...network, name },
    });
  }
}

function isSelfCall(callee: TSESTree.Expression): boolean {
  return (
    callee.type === AST_NODE_TYPES.Identifier ||
    (callee.type === AST_NODE_TYPES.MemberExpression && callee.object.type === AST_NODE_TYPES.ThisExpression)
  );
}
