import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { isModuleIn } from '../analysis/model-package.js';
import {
  EXECUTE_INTERNAL,
  getSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModel,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { createRule } from '../util/create-rule.js';

type Options = [SafecallModelOptions & { lifecycleMethods?: string[] }];
type MessageIds = 'directExecuteCall' | 'overriddenLifecycle';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

const defaultLifecycleMethods = ['accept', 'execute', 'finalize'];

export default createRule<Options, MessageIds>({
  name: 'lifecycle-order',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow calling executeInternal directly or overriding the runtime\'s lifecycle methods in an Orchestrator',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    messages: {
      directExecuteCall:
        '`executeInternal` is called directly here, which skips Accept (no idempotency key, no stored operation) and Finalize (no WAL entry): a crash loses the result and a repeat charges twice. Accept the command with `runtime.accept(name, command)` and let the runtime execute it.',
      overriddenLifecycle:
        "Orchestrator '{{orchestrator}}' defines `{{method}}`, which belongs to the runtime's Accept → Execute → Finalize lifecycle. Orchestrators implement only `executeInternal`; put domain writes in a Finalizer and validation in the orchestrator's `validator` option.",
    },
    schema: [
      {
        type: 'object',
        properties: {
          ...safecallModelSchemaProperties,
          lifecycleMethods: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Method names an Orchestrator subclass must not define (default: ["accept", "execute", "finalize"]).',
          },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ lifecycleMethods: defaultLifecycleMethods }],
  create(context, [options]) {
    const { lifecycleMethods = defaultLifecycleMethods, ...modelOptions } = options;
    const model = getSafecallModel(context, modelOptions);
    if (model.inRuntimePackage) return {};
    const importsRuntime = fileImportsRuntime(context, model);
    return {
      MemberExpression(node) {
        if (memberName(node) !== EXECUTE_INTERNAL || !isCalled(node)) return;
        if (isDelegationToSuper(node, model)) return;
        const isOrchestrator = model.isOrchestratorInstance(node.object as TSESTree.Expression);
        if (isOrchestrator === true || (isOrchestrator === undefined && (importsRuntime || mentionsOrchestrator(node.object, context)))) {
          context.report({ node: node.property, messageId: 'directExecuteCall' });
        }
      },
      'ClassDeclaration, ClassExpression'(node: ClassLike) {
        if (!node.body.body.some((member) => isLifecycleMember(member, lifecycleMethods))) return;
        if (model.classify(node)?.role !== 'orchestrator') return;
        for (const member of node.body.body) {
          if (!isLifecycleMember(member, lifecycleMethods)) continue;
          context.report({
            node: member.key,
            messageId: 'overriddenLifecycle',
            data: { orchestrator: node.id?.name ?? 'this orchestrator', method: memberKeyName(member.key) },
          });
        }
      },
    };
  },
});

function memberName(node: TSESTree.MemberExpression): string | undefined {
  if (!node.computed) return node.property.type === AST_NODE_TYPES.Identifier ? node.property.name : undefined;
  return node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === 'string' ? node.property.value : undefined;
}

/** `x.executeInternal(...)`, and through `.call(...)`, `.apply(...)`, `.bind(...)`. */
function isCalled(node: TSESTree.MemberExpression): boolean {
  const parent = node.parent;
  if (parent.type === AST_NODE_TYPES.CallExpression && parent.callee === node) return true;
  return (
    parent.type === AST_NODE_TYPES.MemberExpression &&
    parent.object === node &&
    ['call', 'apply', 'bind'].includes(memberName(parent) ?? '') &&
    parent.parent.type === AST_NODE_TYPES.CallExpression
  );
}

/** `super.executeInternal(...)` inside an orchestrator's own executeInternal extends the parent, it does not bypass the runtime. */
function isDelegationToSuper(node: TSESTree.MemberExpression, model: SafecallModel): boolean {
  return node.object.type === AST_NODE_TYPES.Super && model.enclosingExecuteInternal(node) !== undefined;
}

function fileImportsRuntime(context: Context, model: SafecallModel): boolean {
  return context.sourceCode.ast.body.some(
    (statement) => statement.type === AST_NODE_TYPES.ImportDeclaration && isModuleIn(statement.source.value, model.settings.runtimeModules),
  );
}

/** Without types, a receiver named like one (`orchestrator`, `this.paymentOrchestrator`) is taken for an orchestrator. */
function mentionsOrchestrator(node: TSESTree.Node, context: Context): boolean {
  return /orchestrator/i.test(context.sourceCode.getText(node));
}

function isLifecycleMember(member: TSESTree.ClassElement, names: readonly string[]): member is TSESTree.MethodDefinition | TSESTree.PropertyDefinition {
  if (member.type !== AST_NODE_TYPES.MethodDefinition && member.type !== AST_NODE_TYPES.PropertyDefinition) return false;
  if (member.static || member.computed || !names.includes(memberKeyName(member.key))) return false;
  if (member.type === AST_NODE_TYPES.MethodDefinition) return member.kind === 'method';
  return member.value?.type === AST_NODE_TYPES.ArrowFunctionExpression || member.value?.type === AST_NODE_TYPES.FunctionExpression;
}

function memberKeyName(key: TSESTree.Node): string {
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  return key.type === AST_NODE_TYPES.Literal ? String(key.value) : '';
}
