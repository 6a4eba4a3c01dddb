import { ESLintUtils } from '@typescript-eslint/utils';
import type ts from 'typescript';
import {
  getSafecallIndex,
  getSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { createRule } from '../util/create-rule.js';

type Options = [SafecallModelOptions];
type MessageIds = 'missingFinalizer' | 'missingReaper';

export default createRule<Options, MessageIds>({
  name: 'orchestrator-requires-recovery',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require a Finalizer and a Reaper somewhere in the program for every Orchestrator',
      recommended: 'recommended-type-checked',
      requiresTypeChecking: true,
    },
    messages: {
      missingFinalizer:
        "Orchestrator '{{orchestrator}}' has no Finalizer in the program. After a crash between the external call and the database write, the outcome sits in the write-ahead log and nothing applies it to your domain state. Add `class {{stem}}Finalizer extends Finalizer<{{orchestrator}}>` and register it with the orchestrator.",
      missingReaper:
        "Orchestrator '{{orchestrator}}' has no Reaper in the program. An operation whose worker died keeps its expired lease and is never retried or failed. Add `class {{stem}}Reaper extends Reaper<{{orchestrator}}>` and register it with the orchestrator.",
    },
    schema: [
      {
        type: 'object',
        properties: { ...safecallModelSchemaProperties },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    // The pairing is a whole-program question: without the program every Finalizer in another file is invisible.
    const services = ESLintUtils.getParserServices(context);
    const model = getSafecallModel(context, options);
    return {
      'ClassDeclaration, ClassExpression'(node: ClassLike) {
        const found = model.classify(node);
        if (found?.role !== 'orchestrator' || found.abstract) return;
        const declaration = services.esTreeNodeToTSNodeMap.get(node) as ts.ClassLikeDeclaration;
        const recovery = getSafecallIndex(services.program, options).recoveryOf(declaration);
        const orchestrator = node.id?.name ?? 'anonymous orchestrator';
        const data = { orchestrator, stem: orchestrator.replace(/Orchestrator$/, '') || orchestrator };
        const reportAt = node.id ?? node;
        if (recovery.finalizers.length === 0) context.report({ node: reportAt, messageId: 'missingFinalizer', data });
        if (recovery.reapers.length === 0) context.report({ node: reportAt, messageId: 'missingReaper', data });
      },
    };
  },
});
