import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import {
  defaultFreshValueOptions,
  findFreshValue,
  freshValueOptionsSchema,
  type FreshValueOptions,
} from '../analysis/fresh-value.js';
import { createRule } from '../util/create-rule.js';

interface NoRandomIdempotencyKeyOptions extends Partial<FreshValueOptions> {
  keyNames?: string[];
}

type Options = [NoRandomIdempotencyKeyOptions];
type MessageIds = 'freshKey';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

const defaultKeyNames = ['idemKey'];

export default createRule<Options, MessageIds>({
  name: 'no-random-idempotency-key',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow idempotency keys made fresh for each request, such as randomUUID() or Date.now()',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    messages: {
      freshKey:
        "`{{key}}` is made fresh for each request by `{{source}}`, so a client's retry gets a new key and runs the operation again. Use a key the caller sends and repeats on retry (an Idempotency-Key header, a client-generated id), or one derived from the request's identity (order id and attempt purpose).",
    },
    schema: [
      {
        type: 'object',
        properties: {
          keyNames: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            description: 'Property names that hold an idempotency key.',
          },
          ...freshValueOptionsSchema,
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ keyNames: defaultKeyNames, ...defaultFreshValueOptions }],
  create(context, [{ keyNames = defaultKeyNames, ...freshValueNames }]) {
    const freshValues: FreshValueOptions = { ...defaultFreshValueOptions, ...freshValueNames };
    const checkKey = (key: string | undefined, value: TSESTree.Node): void => {
      if (key !== undefined && keyNames.includes(key)) reportFreshKey(context, freshValues, key, value);
    };
    return {
      Property(node) {
        if (node.parent.type === AST_NODE_TYPES.ObjectExpression) checkKey(staticName(node.key, node.computed), node.value);
      },
      AssignmentExpression(node) {
        if (node.left.type === AST_NODE_TYPES.MemberExpression) checkKey(staticName(node.left.property, node.left.computed), node.right);
      },
      PropertyDefinition(node) {
        if (node.value) checkKey(staticName(node.key, node.computed), node.value);
      },
    };
  },
});

function reportFreshKey(context: Context, options: FreshValueOptions, key: string, value: TSESTree.Node): void {
  const fresh = findFreshValue(value, context.sourceCode, options);
  if (fresh) context.report({ node: value, messageId: 'freshKey', data: { key, source: fresh.source } });
}

function staticName(key: TSESTree.Node, computed: boolean): string | undefined {
  if (key.type === AST_NODE_TYPES.Identifier && !computed) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === 'string') return key.value;
  return undefined;
}
