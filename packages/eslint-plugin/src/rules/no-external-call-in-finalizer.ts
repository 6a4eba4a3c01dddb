import { AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { callGraphOptionsSchema, defaultCallGraphOptions, findCallPath, type CallGraphOptions, type PathSearch } from '../analysis/call-graph.js';
import {
  classifyCallBySyntax,
  defaultExternalCallOptions,
  displayNameOf,
  externalCallOptionsSchema,
  type ExternalCallOptions,
} from '../analysis/external-call.js';
import { classifyTypedCall, tsCalleeName, tsCalleeText } from '../analysis/external-call-types.js';
import {
  defaultGatewayPortOptions,
  gatewayPortOfCall,
  gatewayPortOptionsSchema,
  tsGatewayPortOfCall,
  type GatewayPortOptions,
} from '../analysis/gateway-port.js';
import {
  getSafecallModel,
  getTypedSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModel,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { calleeName } from '../analysis/transaction-scope.js';
import { createRule } from '../util/create-rule.js';

type RuleOptions = Pick<SafecallModelOptions, 'runtimeModules' | 'finalizerBases'> &
  ExternalCallOptions &
  CallGraphOptions &
  GatewayPortOptions;
type Options = [RuleOptions];
type MessageIds = 'externalCall' | 'externalCallThrough' | 'gatewayCall' | 'gatewayCallThrough';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

const why =
  "A Finalizer runs inside the finalize transaction and again whenever its WAL entry is re-applied after a crash: the call holds the transaction's locks and pooled connection for as long as the provider takes, a rollback cannot take it back, and it is repeated on every re-finalize. Make the call in an Orchestrator's executeInternal (accept a follow-up operation), or write an outbox row through `tx` and send it from there.";

export default createRule<Options, MessageIds>({
  name: 'no-external-call-in-finalizer',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow network and gateway calls in a Finalizer, which runs inside the finalize transaction',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    messages: {
      externalCall: `'{{callee}}' is a network call ({{packageName}}) in {{finalizer}}.{{method}}. ${why}`,
      externalCallThrough: `'{{callee}}' in {{finalizer}}.{{method}} reaches a network call ({{packageName}}): {{path}}. ${why}`,
      gatewayCall: `'{{callee}}' calls the gateway port {{gateway}} in {{finalizer}}.{{method}}. ${why}`,
      gatewayCallThrough: `'{{callee}}' in {{finalizer}}.{{method}} reaches the gateway port {{gateway}}: {{path}}. ${why}`,
    },
    schema: [
      {
        type: 'object',
        properties: {
          runtimeModules: safecallModelSchemaProperties.runtimeModules,
          finalizerBases: safecallModelSchemaProperties.finalizerBases,
          ...externalCallOptionsSchema,
          ...gatewayPortOptionsSchema,
          ...callGraphOptionsSchema,
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ ...defaultExternalCallOptions, ...defaultGatewayPortOptions, ...defaultCallGraphOptions }],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    const program = ESLintUtils.getParserServices(context, true).program ?? undefined;
    return {
      CallExpression(node) {
        const member = enclosingFinalizerMember(node, model);
        if (member) checkCall(context, program, options, node, member);
      },
    };
  },
});

/** A method (or function-valued field) of a Finalizer class, as messages name it. */
interface FinalizerMember {
  readonly classNode: ClassLike;
  readonly finalizer: string;
  readonly method: string;
}

/**
 * The Finalizer member whose body runs `node`: any method but the constructor, and function-valued
 * fields. Field initialisers and the constructor run when the Finalizer is built, outside the transaction.
 */
function enclosingFinalizerMember(node: TSESTree.Node, model: SafecallModel): FinalizerMember | undefined {
  for (let child: TSESTree.Node = node, current = node.parent; current; child = current, current = current.parent) {
    if (current.type === AST_NODE_TYPES.StaticBlock) return undefined;
    if (current.type !== AST_NODE_TYPES.MethodDefinition && current.type !== AST_NODE_TYPES.PropertyDefinition) continue;
    const value = current.value;
    const isFunctionBody =
      child === value &&
      (value.type === AST_NODE_TYPES.FunctionExpression || value.type === AST_NODE_TYPES.ArrowFunctionExpression);
    if (!isFunctionBody || (current.type === AST_NODE_TYPES.MethodDefinition && current.kind === 'constructor')) return undefined;
    const classNode = current.parent.parent;
    if (model.classify(classNode)?.role !== 'finalizer') return undefined;
    return { classNode, finalizer: classNode.id?.name ?? 'anonymous Finalizer', method: memberName(current) };
  }
  return undefined;
}

function checkCall(
  context: Context,
  program: ts.Program | undefined,
  options: RuleOptions,
  node: TSESTree.CallExpression,
  member: FinalizerMember,
): void {
  const where = { finalizer: member.finalizer, method: member.method };
  const name = calleeName(node.callee);
  if (name !== undefined && options.localMethods.includes(name)) return;
  const direct = classifyCallBySyntax(node, context.sourceCode, options);
  if (direct) {
    context.report({ node, messageId: 'externalCall', data: { ...where, callee: direct.displayName, packageName: direct.packageName } });
    return;
  }
  if (!program) {
    const gateway = gatewayPortOfCall(node, context.sourceCode, options);
    if (gateway !== undefined) context.report({ node, messageId: 'gatewayCall', data: { ...where, callee: displayNameOf(node.callee), gateway } });
    return;
  }
  // The Finalizer's own methods are checked where they are written; following them would report twice.
  if (isOwnMethodCall(node, member.classNode)) return;
  const tsCall = ESLintUtils.getParserServices(context).esTreeNodeToTSNodeMap.get(node);
  if (callsFinalizerMethod(tsCall, program, options)) return;
  const path = findCallPath(tsCall, program, finalizerSearch(options), options);
  if (!path) return;
  const callee = displayNameOf(node.callee);
  const through = path.steps.length > 1;
  const chain = [member.method, ...path.steps].join(' → ');
  if (path.value.kind === 'network') {
    context.report({
      node,
      messageId: through ? 'externalCallThrough' : 'externalCall',
      data: { ...where, callee, packageName: path.value.packageName, path: chain },
    });
  } else {
    context.report({
      node,
      messageId: through ? 'gatewayCallThrough' : 'gatewayCall',
      data: { ...where, callee, gateway: path.value.gateway, path: chain },
    });
  }
}

/** `this.helper()` where `helper` is a member of the class itself. */
function isOwnMethodCall(node: TSESTree.CallExpression, classNode: ClassLike): boolean {
  const callee = node.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.object.type !== AST_NODE_TYPES.ThisExpression) return false;
  const name = callee.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${callee.property.name}` : calleeName(callee);
  return classNode.body.body.some(
    (element) =>
      (element.type === AST_NODE_TYPES.MethodDefinition || element.type === AST_NODE_TYPES.PropertyDefinition) &&
      !element.computed &&
      memberName(element) === name,
  );
}

/** A call to a method declared in any Finalizer class (an inherited helper, `super.finalize()`): its own file reports it. */
function callsFinalizerMethod(call: ts.CallExpression, program: ts.Program, options: RuleOptions): boolean {
  const declaration = program.getTypeChecker().getResolvedSignature(call)?.declaration;
  const owner = declaration?.parent;
  return owner !== undefined && ts.isClassLike(owner) && getTypedSafecallModel(program, options).classify(owner)?.role === 'finalizer';
}

type Reached = { readonly kind: 'network'; readonly packageName: string } | { readonly kind: 'gateway'; readonly gateway: string };

const searches = new WeakMap<RuleOptions, PathSearch<Reached>>();

/** What a Finalizer must not reach: a network call, or a call on a gateway port (checked after it, so an SDK call is named as such). */
function finalizerSearch(options: RuleOptions): PathSearch<Reached> {
  let search = searches.get(options);
  if (!search) {
    search = {
      id: `finalizer:${JSON.stringify([options.sdkPackages, options.httpPackages, options.networkGlobals, options.localMethods, options.gatewayWords, options.gatewayFileSuffixes])}`,
      matchCall(call, program) {
        const external = classifyTypedCall(call, program, options);
        if (external) return { label: external.displayName, value: { kind: 'network', packageName: external.packageName } };
        const name = tsCalleeName(call.expression);
        if (name === undefined || options.localMethods.includes(name)) return undefined;
        const gateway = tsGatewayPortOfCall(call, program.getTypeChecker(), options);
        return gateway === undefined ? undefined : { label: tsCalleeText(call.expression), value: { kind: 'gateway', gateway } };
      },
    };
    searches.set(options, search);
  }
  return search;
}

function memberName(member: TSESTree.MethodDefinition | TSESTree.PropertyDefinition): string {
  const key = member.key;
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (key.type === AST_NODE_TYPES.Literal) return String(key.value);
  return '[computed]';
}
