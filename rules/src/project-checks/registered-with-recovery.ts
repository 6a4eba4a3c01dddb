import { AST_NODE_TYPES, ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import {
  getTypedSafecallModel,
  safecallModelSchemaProperties,
  type SafecallModelOptions,
  type TypedSafecallModel,
} from '@safecall/eslint-plugin';
import { createRule } from './create-rule.js';

type Options = [SafecallModelOptions];
type MessageIds = 'missingRecovery' | 'missingPart' | 'wrongRole' | 'wrongOrchestrator';

/** The parts `runtime.register(orchestrator, { finalizer, reaper })` takes, by property name. */
const recoveryParts = [
  { property: 'finalizer', role: 'finalizer', title: 'Finalizer' },
  { property: 'reaper', role: 'reaper', title: 'Reaper' },
] as const;

export default createRule<Options, MessageIds>({
  name: 'registered-with-recovery',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every runtime.register call to pair an Orchestrator with its own Finalizer and Reaper',
      requiresTypeChecking: true,
    },
    messages: {
      missingRecovery:
        '{{orchestrator}} is registered without a Finalizer and a Reaper. Without them a crash after the external call leaves its WAL entry unapplied and its operations stuck; pass `{ finalizer: new {{base}}Finalizer(), reaper: new {{base}}Reaper() }`.',
      missingPart:
        '{{orchestrator}} is registered without a {{title}}; pass `{{property}}: new {{base}}{{title}}()`, the {{title}} written for it.',
      wrongRole: "The '{{property}}' given for {{orchestrator}} is {{given}}, not a {{title}}; pass the {{title}} written for {{orchestrator}}.",
      wrongOrchestrator:
        "The '{{property}}' given for {{orchestrator}} is {{given}}, the {{title}} of {{other}}: {{orchestrator}}'s operations would be recovered by code written for another command and result. Pass {{orchestrator}}'s own {{title}}.",
    },
    schema: [{ type: 'object', properties: { ...safecallModelSchemaProperties }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [modelOptions]) {
    const services = ESLintUtils.getParserServices(context);
    const model = getTypedSafecallModel(services.program, modelOptions);
    const checker = services.program.getTypeChecker();

    function classOf(node: TSESTree.Node): ts.ClassLikeDeclaration | undefined {
      return checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node)).getSymbol()?.declarations?.find(ts.isClassLike);
    }

    /** The part's class from the recovery argument's type: literals, variables and spreads alike. */
    function findPart(recovery: TSESTree.Expression, property: string) {
      const tsRecovery = services.esTreeNodeToTSNodeMap.get(recovery);
      const symbol = checker.getPropertyOfType(checker.getTypeAtLocation(tsRecovery), property);
      if (!symbol) return undefined;
      const type = checker.getTypeOfSymbolAtLocation(symbol, tsRecovery);
      return { node: partNode(recovery, property), declaration: type.getSymbol()?.declarations?.find(ts.isClassLike) };
    }

    return {
      CallExpression(call) {
        // Syntax first: a `.register(x, ...)` call; only then ask the checker whether x is an Orchestrator.
        if (call.callee.type !== AST_NODE_TYPES.MemberExpression || !isNamed(call.callee.property, 'register')) return;
        const [orchestratorArgument, recovery] = call.arguments;
        if (!orchestratorArgument || orchestratorArgument.type === AST_NODE_TYPES.SpreadElement) return;
        const orchestrator = classOf(orchestratorArgument);
        if (!orchestrator || model.classify(orchestrator)?.role !== 'orchestrator') return;
        const names = { orchestrator: nameOf(orchestrator), base: nameOf(orchestrator).replace(/Orchestrator$/, '') };
        if (!recovery || recovery.type === AST_NODE_TYPES.SpreadElement) {
          context.report({ node: call, messageId: 'missingRecovery', data: names });
          return;
        }
        for (const part of recoveryParts) {
          const data = { ...names, ...part };
          const given = findPart(recovery, part.property);
          if (!given) {
            context.report({ node: recovery, messageId: 'missingPart', data });
            continue;
          }
          // A part whose type is no class (any, an interface) cannot be judged here.
          if (!given.declaration) continue;
          const problem = recoveryProblem(model, given.declaration, part.role, orchestrator);
          if (problem) {
            context.report({ node: given.node, messageId: problem.messageId, data: { ...data, given: nameOf(given.declaration), other: problem.other } });
          }
        }
      },
    };
  },
});

function recoveryProblem(
  model: TypedSafecallModel,
  given: ts.ClassLikeDeclaration,
  role: 'finalizer' | 'reaper',
  orchestrator: ts.ClassLikeDeclaration,
): { messageId: 'wrongRole' | 'wrongOrchestrator'; other: string } | undefined {
  if (model.classify(given)?.role !== role) return { messageId: 'wrongRole', other: '' };
  const forOrchestrator = model.orchestratorOf(given);
  // A Finalizer/Reaper whose orchestrator the checker cannot name (e.g. a generic one) is given the benefit of the doubt.
  if (forOrchestrator && forOrchestrator !== orchestrator) return { messageId: 'wrongOrchestrator', other: nameOf(forOrchestrator) };
  return undefined;
}

function isNamed(node: TSESTree.Node, name: string): boolean {
  return (node.type === AST_NODE_TYPES.Identifier && node.name === name) || (node.type === AST_NODE_TYPES.Literal && node.value === name);
}

/** Where a literal `{ finalizer: ... }` writes the part; for any other expression, the expression itself. */
function partNode(recovery: TSESTree.Expression, property: string): TSESTree.Node {
  if (recovery.type === AST_NODE_TYPES.ObjectExpression) {
    for (const member of recovery.properties) {
      if (member.type === AST_NODE_TYPES.Property && isNamed(member.key, property)) return member.value;
    }
  }
  return recovery;
}

function nameOf(declaration: ts.ClassLikeDeclaration): string {
  return declaration.name?.text ?? '(anonymous class)';
}
