import { ASTUtils, AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { callGraphOptionsSchema, defaultCallGraphOptions, findNetworkPath } from '../analysis/call-graph.js';
import { classifyCallBySyntax, defaultExternalCallOptions, type ExternalCall } from '../analysis/external-call.js';
import {
  defaultRetryOptions,
  findRetryLoop,
  findRetryRecursion,
  findTypedCaller,
  isSleep,
  retriedParameter,
  retryOptionsSchemaProperties,
  type Loop,
  type Retry,
  type RetrySettings,
} from '../analysis/model-retry.js';
import { getSafecallModel } from '../analysis/safecall-model.js';
import { childNodes } from '../analysis/model-ast.js';
import { calleeName, isFunctionNode, type FunctionNode } from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

interface RuleOptions {
  readonly sleepFunctions?: string[];
  readonly maxDepth?: number;
}
type Options = [RuleOptions];
type MessageIds = 'retryLoop' | 'retryRecursion' | 'retryInterceptor';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

const advice =
  "A hand-rolled retry rarely has jitter (every client retries in lockstep and hammers a recovering provider), often has no real bound, and keeps no record of what was sent, so a crash mid-wait loses a request that may have gone through. Return the runtime's `Outcome.retry(...)` and let it schedule the next attempt with backoff, or use a retry library with jitter and a bound (p-retry, cockatiel, exponential-backoff).";

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
      retryInterceptor: `This response-error interceptor sleeps and re-sends the failed request with '{{callee}}' ({{packageName}}), whatever its method, POSTs included. ${advice}`,
    },
    schema: [
      {
        type: 'object',
        properties: {
          sleepFunctions: retryOptionsSchemaProperties.sleepFunctions,
          ...callGraphOptionsSchema,
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ sleepFunctions: [...defaultRetryOptions.sleepFunctions], ...defaultCallGraphOptions }],
  create(context, [options]) {
    const settings: RetrySettings = { ...defaultRetryOptions, sleepFunctions: options.sleepFunctions ?? defaultRetryOptions.sleepFunctions };
    const maxDepth = options.maxDepth ?? defaultCallGraphOptions.maxDepth;
    const model = getSafecallModel(context);
    // Inside an orchestrator's executeInternal, no-retry-loop-in-execute reports the same code with the runtime's remedy.
    const reportable = (node: TSESTree.Node) => model.enclosingExecuteInternal(node) === undefined;
    const checkLoop = (loop: Loop): void => {
      const retry = findRetryLoop(loop, context.sourceCode, settings);
      const network = retry && reportable(loop) ? retriedNetworkCall(retry, loop, context, maxDepth) : undefined;
      if (network) context.report({ loc: context.sourceCode.getFirstToken(loop)!.loc, messageId: 'retryLoop', data: network });
    };
    return {
      WhileStatement: checkLoop,
      DoWhileStatement: checkLoop,
      ForStatement: checkLoop,
      ForOfStatement: checkLoop,
      ForInStatement: checkLoop,
      'FunctionDeclaration, FunctionExpression, ArrowFunctionExpression'(fn: FunctionNode) {
        const retry = findRetryRecursion(fn, context.sourceCode, settings);
        const network = retry && reportable(fn) ? retriedNetworkCall(retry, fn.body, context, maxDepth) : undefined;
        if (retry && network) context.report({ node: retry.nameNode, messageId: 'retryRecursion', data: { ...network, name: retry.name } });
      },
      CallExpression(call) {
        const onRejected = responseErrorInterceptor(call);
        const network = onRejected && resendAfterSleep(onRejected, context, settings);
        if (network) context.report({ node: call.callee, messageId: 'retryInterceptor', data: network });
      },
    };
  },
});

interface NetworkCallData {
  readonly callee: string;
  readonly packageName: string;
  readonly through: string;
  readonly [key: string]: string;
}

/**
 * The network call a retry with a sleep re-sends. Polling, where only reads are repeated until the
 * resource reaches a state, re-sends nothing and is left alone. A generic helper that retries a
 * function it is given is judged by what its callers pass in.
 */
function retriedNetworkCall(retry: Retry, at: TSESTree.Node, context: Context, maxDepth: number): NetworkCallData | undefined {
  if (retry.sleeps.length === 0) return undefined;
  // Waiting for a state: only re-sending the same mutation counts, not acting on what a read returned.
  const byTrigger: Wanted = retry.trigger === 'state' ? (external, call) => external.mutates && !(call && retry.fedByResults.has(call)) : () => true;
  // Waiting for a server on this machine to come up (a test, a dev script) is a local wait, not a provider retry.
  const wanted: Wanted = (external, call) => byTrigger(external, call) && !(call && callsLocalhost(call, context.sourceCode));
  const direct = firstNetworkCall(retry.steps, context, maxDepth, wanted);
  if (direct) return direct;
  const helper = retriedParameter(retry.steps, at);
  return helper && networkCallPassedTo(helper, context, maxDepth, wanted);
}

/** Which network calls count; `call` is the step in the retry itself, absent for calls a caller passes in. */
type Wanted = (external: ExternalCall, call?: TSESTree.CallExpression) => boolean;

/** The first of the calls that is a network call: by syntax in the file, then (with types) through the program. */
function firstNetworkCall(calls: readonly TSESTree.CallExpression[], context: Context, maxDepth: number, wanted: Wanted): NetworkCallData | undefined {
  for (const call of calls) {
    const direct = classifyCallBySyntax(call, context.sourceCode, defaultExternalCallOptions);
    if (direct && wanted(direct, call)) return { callee: direct.displayName, packageName: direct.packageName, through: '' };
  }
  const services = ESLintUtils.getParserServices(context, true);
  if (!services.program) return undefined;
  for (const call of calls) {
    const path = findNetworkPath(services.esTreeNodeToTSNodeMap.get(call), services.program, { ...defaultExternalCallOptions, maxDepth });
    if (path && wanted(path.value, call)) return { callee: path.steps[0] ?? '', packageName: path.value.packageName, through: throughOf(path.steps) };
  }
  return undefined;
}

function throughOf(steps: readonly string[]): string {
  return steps.length > 1 ? ` (${steps.join(' → ')})` : '';
}

/**
 * A network call made by a function passed to the helper: `retry(() => fetch(url), 3)`. Callers in the
 * file are found by scope; with type information, callers anywhere in the program.
 */
function networkCallPassedTo(helper: NonNullable<ReturnType<typeof retriedParameter>>, context: Context, maxDepth: number, wanted: Wanted): NetworkCallData | undefined {
  for (const call of callSitesOf(helper, context.sourceCode)) {
    const callback = call.arguments[helper.index];
    if (!callback || !isFunctionNode(callback)) continue;
    const found = firstNetworkCall(callsIn(callback.body), context, maxDepth, (external) => wanted(external));
    if (found) return { ...found, through: `${found.through} (passed to '${helper.name}' on line ${call.loc.start.line})` };
  }
  const services = ESLintUtils.getParserServices(context, true);
  if (!services.program) return undefined;
  const caller = findTypedCaller(services.esTreeNodeToTSNodeMap.get(helper.nameNode), helper.index, services.program, (tsCall) => {
    const path = findNetworkPath(tsCall, services.program!, { ...defaultExternalCallOptions, maxDepth });
    return path && wanted(path.value) ? path : undefined;
  });
  if (!caller) return undefined;
  const { value: path, site } = caller;
  return { callee: path.steps[0] ?? '', packageName: path.value.packageName, through: `${throughOf(path.steps)} (passed to '${helper.name}' at ${site})` };
}

/** Calls of the helper in this file: through its variable, or `this.name(...)` in its class for a method. */
function callSitesOf(helper: NonNullable<ReturnType<typeof retriedParameter>>, sourceCode: TSESLint.SourceCode): TSESTree.CallExpression[] {
  const member = helper.nameNode.parent;
  if (member?.type === AST_NODE_TYPES.MethodDefinition || member?.type === AST_NODE_TYPES.PropertyDefinition) {
    return callsIn(member.parent).filter(
      (call) =>
        call.callee.type === AST_NODE_TYPES.MemberExpression &&
        call.callee.object.type === AST_NODE_TYPES.ThisExpression &&
        calleeName(call.callee) === helper.name,
    );
  }
  const variable = ASTUtils.findVariable(sourceCode.getScope(helper.nameNode), helper.name);
  return (variable?.references ?? []).flatMap((reference) => {
    const call = reference.identifier.parent;
    return call.type === AST_NODE_TYPES.CallExpression && call.callee === reference.identifier ? [call] : [];
  });
}

function callsIn(root: TSESTree.Node): TSESTree.CallExpression[] {
  return nodesIn(root).filter((node): node is TSESTree.CallExpression => node.type === AST_NODE_TYPES.CallExpression);
}

/** Every node of a subtree, nested functions included, in source order. */
function nodesIn(root: TSESTree.Node): TSESTree.Node[] {
  const nodes: TSESTree.Node[] = [];
  const stack: TSESTree.Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    nodes.push(node);
    stack.push(...childNodes(node).reverse());
  }
  return nodes;
}

/** The error handler of `client.interceptors.response.use(onFulfilled, onRejected)`. */
function responseErrorInterceptor(call: TSESTree.CallExpression): FunctionNode | undefined {
  const callee = call.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression || calleeName(callee) !== 'use') return undefined;
  const response = callee.object;
  if (response.type !== AST_NODE_TYPES.MemberExpression || calleeName(response) !== 'response') return undefined;
  if (response.object.type !== AST_NODE_TYPES.MemberExpression || calleeName(response.object) !== 'interceptors') return undefined;
  const handler = call.arguments[1];
  return handler && isFunctionNode(handler) ? handler : undefined;
}

/** `async (error) => { await sleep(ms); return client.request(error.config); }`: a sleep, then a request. */
function resendAfterSleep(handler: FunctionNode, context: Context, settings: RetrySettings): NetworkCallData | undefined {
  const nodes = nodesIn(handler.body);
  const sleeps = nodes.some((node) => (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) && isSleep(node, context.sourceCode, settings));
  if (!sleeps) return undefined;
  for (const node of nodes) {
    if (node.type !== AST_NODE_TYPES.CallExpression) continue;
    const external = classifyCallBySyntax(node, context.sourceCode, defaultExternalCallOptions);
    if (external) return { callee: external.displayName, packageName: external.packageName, through: '' };
  }
  return undefined;
}

const localUrl = /^[`'"](?:https?|wss?):\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])[:/`'"]/;

/** `fetch('http://localhost:3000/health')`, `axios.get(\`http://127.0.0.1:${port}/ready\`)`. */
function callsLocalhost(call: TSESTree.CallExpression, sourceCode: TSESLint.SourceCode): boolean {
  const [url] = call.arguments;
  return url !== undefined && localUrl.test(sourceCode.getText(url));
}
