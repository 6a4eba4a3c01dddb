import {
  AST_NODE_TYPES,
  ESLintUtils,
  type ParserServices,
  type ParserServicesWithTypeInformation,
  type TSESLint,
  type TSESTree,
} from '@typescript-eslint/utils';
import ts from 'typescript';
import { callGraphOptionsSchema, defaultCallGraphOptions, findNetworkPath, type CallGraphOptions } from '../analysis/call-graph.js';
import {
  classifyCallBySyntax,
  defaultExternalCallOptions,
  displayNameOf,
  operationOfSdkCall,
  externalCallOptionsSchema,
  matchesPackage,
  type ExternalCallOptions,
} from '../analysis/external-call.js';
import { classifyTypedCall } from '../analysis/external-call-types.js';
import { classifyGatewayCall, defaultGatewayWords, gatewayWordsSchema, isGatewayName, type GatewayCall } from '../analysis/gateway-call.js';
import { defaultGatewayPortOptions, gatewayPortOfCall, gatewayPortOptionsSchema, tsGatewayPortOfCall } from '../analysis/gateway-port.js';
import { defaultKeyProperties, findKeySlot } from '../analysis/idempotency-key-slot.js';
import { childNodes } from '../analysis/model-ast.js';
import { createOperationKeyTracker, defaultOperationKeyProperties, type OperationKeyTracker } from '../analysis/operation-key.js';
import {
  EXECUTE_INTERNAL,
  getSafecallModel,
  safecallModelSchemaProperties,
  type ExecuteInternal,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { calleeText, propertyName } from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

interface RuleOptions extends SafecallModelOptions, ExternalCallOptions, CallGraphOptions {
  readonly keyProperties: readonly string[];
  readonly gatewayWords: readonly string[];
  readonly gatewayFileSuffixes: readonly string[];
}
type Options = [RuleOptions];
type MessageIds = 'keyNotForwarded';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

/** A call inside executeInternal that changes state at a provider, as the message names it. */
interface StateChangingCall {
  readonly label: string;
}

// Receivers whose calls record or observe, and never carry the key to a provider: `ctx.logger.info({ opId })`.
const observerWords = ['logger', 'log', 'console', 'metrics', 'meter', 'tracer', 'span', 'telemetry', 'outcome'];
// require-sdk-idempotency-key's defaults: it checks creates outside the AWS SDK (which fills a client token itself).
const awsPackages = ['@aws-sdk/*', 'aws-sdk'];
const maxNamedCalls = 3;

export default createRule<Options, MessageIds>({
  name: 'forward-idempotency-key',
  meta: {
    type: 'problem',
    docs: {
      description: "Require executeInternal to pass the operation's idempotency key on to the provider call it makes",
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    messages: {
      keyNotForwarded:
        "`executeInternal` of '{{orchestrator}}' calls {{calls}} but passes none of them the operation's idempotency key. When an attempt times out or the worker crashes, the runtime retries the operation and the provider, which cannot tell the retry from a new request, does it again (a second charge, a second message). Pass `{{key}}` to the call that changes state: `{ idempotencyKey: {{key}} }` in the SDK or gateway options, or an `Idempotency-Key` header.",
    },
    schema: [
      {
        type: 'object',
        properties: {
          ...safecallModelSchemaProperties,
          keyProperties: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Properties of the command and the execution context that hold the operation\'s key.',
          },
          gatewayWords: gatewayWordsSchema,
          gatewayFileSuffixes: gatewayPortOptionsSchema.gatewayFileSuffixes,
          ...externalCallOptionsSchema,
          ...callGraphOptionsSchema,
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [
    {
      keyProperties: defaultOperationKeyProperties,
      gatewayWords: defaultGatewayWords,
      gatewayFileSuffixes: defaultGatewayPortOptions.gatewayFileSuffixes,
      ...defaultExternalCallOptions,
      ...defaultCallGraphOptions,
    },
  ],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    const check = (member: TSESTree.MethodDefinition | TSESTree.PropertyDefinition) => {
      if (member.computed || member.key.type !== AST_NODE_TYPES.Identifier || member.key.name !== EXECUTE_INTERNAL) return;
      if (!member.value) return;
      const found = model.executeInternalOfFunction(member.value);
      if (found) checkExecuteInternal(context, found, options);
    };
    return { MethodDefinition: check, PropertyDefinition: check };
  },
});

function checkExecuteInternal(context: Context, executeInternal: ExecuteInternal, options: RuleOptions): void {
  const { calls, constructions } = callsIn(executeInternal.fn);
  const tracker = createOperationKeyTracker(executeInternal, context.sourceCode, options.keyProperties);
  const services = ESLintUtils.getParserServices(context, true);
  // Syntax first: a call that gets the key ends the check before any external call is classified.
  // `new PaymentsClient({ idempotencyKey })` gives the key to a client made for this operation.
  if (constructions.some((construction) => forwardsKey(construction, tracker, executeInternal, options))) return;
  const handOffs = calls.filter((call) => forwardsKey(call, tracker, executeInternal, options));
  if (handOffs.some((call) => mayReachProvider(call, context, services, options))) return;
  const stateChanging = calls.flatMap((call) => {
    const found = stateChangingCall(call, context, services, options);
    return found ? [found] : [];
  });
  if (stateChanging.length === 0) return;
  context.report({
    node: executeInternal.member.key,
    messageId: 'keyNotForwarded',
    data: {
      orchestrator: executeInternal.classNode.id?.name ?? 'this orchestrator',
      calls: describeCalls(stateChanging),
      key: keyExpressionOf(executeInternal, context.sourceCode),
    },
  });
}

/** Every call in executeInternal's body, callbacks included (they run in it), nested classes not. */
function callsIn(fn: ExecuteInternal['fn']): { calls: TSESTree.CallExpression[]; constructions: TSESTree.NewExpression[] } {
  const calls: TSESTree.CallExpression[] = [];
  const constructions: TSESTree.NewExpression[] = [];
  const stack: TSESTree.Node[] = [fn.body];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === AST_NODE_TYPES.ClassBody) continue;
    if (node.type === AST_NODE_TYPES.CallExpression) calls.push(node);
    if (node.type === AST_NODE_TYPES.NewExpression) constructions.push(node);
    stack.push(...childNodes(node));
  }
  return { calls: calls.reverse(), constructions };
}

/**
 * A call hands the key on when one of its arguments carries it: to the provider, a gateway, or a
 * helper that makes the call (`chargeWithKey(ctx)`). Calls that only record (`ctx.logger.info({ opId })`,
 * `Outcome.fail(...)`) do not count, nor anything inside their arguments.
 */
function forwardsKey(call: TSESTree.CallExpression | TSESTree.NewExpression, tracker: OperationKeyTracker, executeInternal: ExecuteInternal, options: RuleOptions): boolean {
  if (isBuiltinConversion(call) || !call.arguments.some((argument) => tracker.valueOf(argument) !== undefined)) return false;
  for (let node: TSESTree.Node = call; node !== executeInternal.fn; node = node.parent!) {
    // `Outcome.ok(await this.gateway.charge(...))` wraps a real call; only a logger's arguments stay with the logger.
    if (node.type === AST_NODE_TYPES.CallExpression && isObserverCall(node, executeInternal, options) && (node === call || !isOutcomeCall(node))) {
      return false;
    }
  }
  return true;
}

/**
 * With types, a call given the key hands it on only if it may reach a provider: a network or gateway
 * call, a call the call graph follows to the network, or an asynchronous call (an interface member,
 * a helper that awaits a port). A synchronous call that reaches no network only makes a value from
 * the key (`chargeKey(opId)`, `createHash('sha256').update(opId)`). Without types every call is trusted.
 */
function mayReachProvider(call: TSESTree.CallExpression, context: Context, services: Partial<ParserServices>, options: RuleOptions): boolean {
  if (!services.program || !services.esTreeNodeToTSNodeMap) return true;
  const { program } = services;
  const tsCall = services.esTreeNodeToTSNodeMap.get(call);
  if (classifyCallBySyntax(call, context.sourceCode, options) || classifyTypedCall(tsCall, program, options)) return true;
  if (gatewayCallOf(call, context, services, options) || findNetworkPath(tsCall, program, options)) return true;
  const checker = program.getTypeChecker();
  const signature = checker.getResolvedSignature(tsCall);
  if (!signature) return true;
  const returnType = checker.getReturnTypeOfSignature(signature);
  if (returnType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  return checker.getAwaitedType(returnType) !== returnType;
}

// Conversions make a value from the key (`String(opId)`, `JSON.stringify({ opId })`); they hand it to no one.
const builtinFunctions = new Set(['String', 'Number', 'Boolean', 'BigInt', 'encodeURIComponent', 'encodeURI', 'parseInt', 'structuredClone']);
const builtinClasses = new Set(['Date', 'URL', 'URLSearchParams', 'Map', 'Set', 'WeakMap', 'Array', 'RegExp', 'Headers', 'Request', 'TextEncoder', 'Promise']);
const builtinNamespaces = new Set(['JSON', 'Math', 'Object', 'Array', 'Number', 'String', 'Reflect', 'Buffer']);

function isBuiltinConversion(call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const callee = call.callee;
  if (call.type === AST_NODE_TYPES.NewExpression) {
    // `new Error(\`charge ${opId} failed\`)`, `new URL(...)`: values, not clients.
    const name = calleeText(callee).split('.').at(-1) ?? '';
    return builtinClasses.has(name) || /(^…$|Error$|Exception$)/.test(name);
  }
  if (callee.type === AST_NODE_TYPES.Identifier) return builtinFunctions.has(callee.name);
  return callee.type === AST_NODE_TYPES.MemberExpression && callee.object.type === AST_NODE_TYPES.Identifier && builtinNamespaces.has(callee.object.name);
}

function isOutcomeCall(call: TSESTree.CallExpression): boolean {
  return call.callee.type === AST_NODE_TYPES.MemberExpression && isGatewayName(calleeText(call.callee.object), ['outcome']);
}

function isObserverCall(call: TSESTree.CallExpression, executeInternal: ExecuteInternal, options: RuleOptions): boolean {
  const callee = call.callee.type === AST_NODE_TYPES.ChainExpression ? call.callee.expression : call.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  // `ctx.logger.info(...)`, `ctx.signal.throwIfAborted()`: the execution context's own helpers.
  let root: TSESTree.Node = callee.object;
  while (root.type === AST_NODE_TYPES.MemberExpression) root = root.object;
  const context = executeInternal.fn.params[2];
  if (root.type === AST_NODE_TYPES.Identifier && context?.type === AST_NODE_TYPES.Identifier && root.name === context.name) return true;
  const names = calleeText(callee.object).split('.');
  return names.some((name) => isGatewayName(name, observerWords) && !isGatewayName(name, options.gatewayWords));
}

/**
 * A call that changes state at a provider: a network call the file shows (SDK client, HTTP client,
 * `fetch`), a call on a gateway or port, or (with types) a call that reaches a network call through
 * the program. Reads (`retrieve`, `get`, a GET request) need no key. With types, a create on an SDK
 * whose signature takes a key is left to require-sdk-idempotency-key, which reports it at the call.
 */
function stateChangingCall(
  call: TSESTree.CallExpression,
  context: Context,
  services: Partial<ParserServices>,
  options: RuleOptions,
): StateChangingCall | undefined {
  const typed = services.program ? (services as ParserServicesWithTypeInformation) : undefined;
  const external = classifyCallBySyntax(call, context.sourceCode, options) ?? (typed && classifyTypedCall(typed.esTreeNodeToTSNodeMap.get(call), typed.program, options));
  if (external) {
    if (!external.mutates) return undefined;
    if (typed && external.kind === 'sdk' && isCheckedBySdkKeyRule(call, external.packageName, external.operation, typed)) return undefined;
    return { label: external.displayName };
  }
  const gateway = gatewayCallOf(call, context, services, options);
  if (gateway) return gateway.mutates ? { label: gateway.displayName } : undefined;
  if (!typed) return undefined;
  const path = findNetworkPath(typed.esTreeNodeToTSNodeMap.get(call), typed.program, options);
  return path?.value.mutates ? { label: path.steps.join(' → ') } : undefined;
}

/**
 * A call on a gateway or port: by the receiver's names (gateway-call.ts), or a port whose type is
 * declared in a `*.gateway` module whatever it is called (gateway-port.ts, as no-external-call-in-finalizer sees it).
 */
function gatewayCallOf(call: TSESTree.CallExpression, context: Context, services: Partial<ParserServices>, options: RuleOptions): GatewayCall | undefined {
  const byName = classifyGatewayCall(call, context.sourceCode, options, services);
  if (byName) return byName;
  const { program, esTreeNodeToTSNodeMap: nodeMap } = services;
  const port =
    gatewayPortOfCall(call, context.sourceCode, options) ??
    (program && nodeMap ? tsGatewayPortOfCall(nodeMap.get(call), program.getTypeChecker(), options) : undefined);
  const callee = call.callee.type === AST_NODE_TYPES.ChainExpression ? call.callee.expression : call.callee;
  const method = callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : undefined;
  if (port === undefined || method === undefined) return undefined;
  const operation = operationOfSdkCall(method, call);
  return { displayName: displayNameOf(callee), operation, mutates: operation !== 'read' };
}

/** The split with require-sdk-idempotency-key: the SDK creates whose signature (or `new XCommand(input)`) has a key slot. */
function isCheckedBySdkKeyRule(
  call: TSESTree.CallExpression,
  packageName: string,
  operation: string,
  services: ParserServicesWithTypeInformation,
): boolean {
  if (operation !== 'create' || matchesPackage(packageName, awsPackages)) return false;
  const checker = services.program.getTypeChecker();
  const sites: (TSESTree.CallExpression | TSESTree.NewExpression)[] = [
    call,
    ...call.arguments.filter((argument): argument is TSESTree.NewExpression => argument.type === AST_NODE_TYPES.NewExpression),
  ];
  return sites.some((site) => {
    const signature: ts.Signature | undefined = checker.getResolvedSignature(services.esTreeNodeToTSNodeMap.get(site));
    return signature !== undefined && findKeySlot(signature, checker, defaultKeyProperties) !== undefined;
  });
}

function describeCalls(calls: readonly StateChangingCall[]): string {
  const labels = [...new Set(calls.map((call) => `'${call.label}'`))];
  const named = labels.slice(0, maxNamedCalls).join(', ');
  return labels.length > maxNamedCalls ? `${named} and ${labels.length - maxNamedCalls} more` : named;
}

/** How the key reads in this executeInternal: `ctx.idempotencyKey`, `context.idempotencyKey`, a destructured `idempotencyKey`. */
function keyExpressionOf(executeInternal: ExecuteInternal, sourceCode: TSESLint.SourceCode): string {
  const parameter = executeInternal.fn.params[2];
  const bare = parameter?.type === AST_NODE_TYPES.AssignmentPattern ? parameter.left : parameter;
  if (bare?.type === AST_NODE_TYPES.Identifier) return `${bare.name}.idempotencyKey`;
  if (bare?.type === AST_NODE_TYPES.ObjectPattern) {
    for (const property of bare.properties) {
      if (property.type === AST_NODE_TYPES.Property && !property.computed && property.key.type === AST_NODE_TYPES.Identifier && property.key.name === 'idempotencyKey') {
        return sourceCode.getText(property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value);
      }
    }
  }
  return 'ctx.idempotencyKey';
}
