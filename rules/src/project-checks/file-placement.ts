import path from 'node:path';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import {
  getSafecallModel,
  safecallModelSchemaProperties,
  type ClassLike,
  type SafecallModelOptions,
  type SafecallRole,
} from '@safecall/eslint-plugin';
import { resolveLayers, type ArchitectureLayers } from '../../presets/architecture-rules.cjs';
import { createRule } from './create-rule.js';

type PlacedKind = SafecallRole | 'command';

type Options = [SafecallModelOptions & { layers?: Partial<ArchitectureLayers> }];
type MessageIds = 'misplaced' | 'misnamed';

/** Each kind's name suffix; its file suffix is the layer pattern of the same name. */
const nameSuffixes: Readonly<Record<PlacedKind, string>> = {
  orchestrator: 'Orchestrator',
  finalizer: 'Finalizer',
  reaper: 'Reaper',
  command: 'Command',
};

export default createRule<Options, MessageIds>({
  name: 'file-placement',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require Orchestrators, Finalizers, Reapers and commands to be named and placed by the layer conventions',
      requiresTypeChecking: false,
    },
    messages: {
      misplaced:
        "{{name}} is {{kind}} but lives in {{file}}. The architecture rules find layers by file name, so here it escapes them; move it to a file whose name matches /{{pattern}}/ (e.g. {{suggestion}}).",
      misnamed:
        "{{name}} is {{kind}}; end its name with '{{suffix}}' (e.g. {{suggestion}}) so readers, `safecall new` and the reports call it what it is.",
    },
    schema: [
      {
        type: 'object',
        properties: {
          ...safecallModelSchemaProperties,
          layers: {
            type: 'object',
            description: 'Regular expressions (on the path relative to the project root) that override the default layer patterns.',
            additionalProperties: { type: 'string' },
          },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{}],
  create(context, [{ layers: layerOverrides, ...modelOptions }]) {
    const model = getSafecallModel(context, modelOptions);
    const layers = resolveLayers(layerOverrides);
    const file = path.relative(context.cwd, context.filename).split(path.sep).join('/');

    function checkPlacement(kind: PlacedKind, name: string, node: TSESTree.Node): void {
      const baseName = name.endsWith(nameSuffixes[kind]) ? name.slice(0, -nameSuffixes[kind].length) : name;
      if (!name.endsWith(nameSuffixes[kind])) {
        context.report({
          node,
          messageId: 'misnamed',
          data: { name, kind: describe(kind), suffix: nameSuffixes[kind], suggestion: `${baseName}${nameSuffixes[kind]}` },
        });
      }
      if (!new RegExp(layers[kind]).test(file)) {
        context.report({
          node,
          messageId: 'misplaced',
          data: { name, kind: describe(kind), file, pattern: layers[kind], suggestion: `${kebabCase(baseName)}.${kind}.ts` },
        });
      }
    }

    function checkClass(node: ClassLike): void {
      if (!node.id) return;
      const safecallClass = model.classify(node);
      if (safecallClass && !safecallClass.abstract) checkPlacement(safecallClass.role, node.id.name, node.id);
      else if (!safecallClass && model.isCommand(node)) checkPlacement('command', node.id.name, node.id);
    }

    return {
      ClassDeclaration: checkClass,
      ClassExpression: checkClass,
      'TSInterfaceDeclaration, TSTypeAliasDeclaration'(node: TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration) {
        if (model.isCommand(node)) checkPlacement('command', node.id.name, node.id);
      },
    } satisfies TSESLint.RuleListener;
  },
});

function describe(kind: PlacedKind): string {
  return kind === 'orchestrator' ? 'an Orchestrator' : kind === 'command' ? 'a command' : `a ${nameSuffixes[kind]}`;
}

function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
