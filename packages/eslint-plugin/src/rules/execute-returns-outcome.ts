import { AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import {
  describeReturnedValue,
  outcomeReference,
  outcomeVerdictBySyntax,
  outcomeVerdictByType,
  type OutcomeVerdict,
} from '../analysis/model-outcome.js';
import {
  enclosingFunction,
  getSafecallModel,
  safecallModelSchemaProperties,
  type SafecallModel,
  type SafecallModelOptions,
} from '../analysis/safecall-model.js';
import { createRule } from '../util/create-rule.js';

type Options = [SafecallModelOptions];
type MessageIds = 'notOutcome' | 'missingReturn' | 'wrapInOk' | 'returnRetry' | 'returnFail';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;
type ExecuteFunction = TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

interface CodePathFrame {
  readonly node: TSESTree.Node;
  /** The segments being traversed; a reachable one at a function's exit means its end can be reached. */
  readonly segments: Set<TSESLint.CodePathSegment>;
}

export default createRule<Options, MessageIds>({
  name: 'execute-returns-outcome',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every return path of executeInternal to return an Outcome',
      recommended: 'recommended',
      requiresTypeChecking: false,
    },
    hasSuggestions: true,
    messages: {
      notOutcome:
        '`executeInternal` returns {{value}} here, which is not an Outcome. The runtime records a result only by its kind; return `Outcome.ok(value)`, `Outcome.retry(reason)` or `Outcome.fail(code, message)`.',
      missingReturn:
        '`executeInternal` can finish without returning an Outcome (it resolves to undefined), and the runtime cannot tell success from failure. End every path with `return Outcome.ok(...)`, `Outcome.retry(...)` or `Outcome.fail(...)`.',
      wrapInOk: 'Return `{{replacement}}`.',
      returnRetry: 'Return `{{replacement}}` (a transient failure: the runtime retries with backoff).',
      returnFail: 'Return `{{replacement}}` (a permanent failure).',
    },
    schema: [{ type: 'object', properties: { ...safecallModelSchemaProperties }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    const codePaths: CodePathFrame[] = [];
    const checkEnd = (fn: ExecuteFunction) => {
      const frame = codePaths[codePaths.length - 1];
      if (fn.body.type !== AST_NODE_TYPES.BlockStatement || frame?.node !== fn) return;
      if (![...frame.segments].some((segment) => segment.reachable)) return;
      if (model.executeInternalOfFunction(fn)) reportMissingReturn(context, fn.body);
    };
    return {
      ...trackCodePaths(codePaths),
      ReturnStatement(node) {
        const fn = enclosingFunction(node);
        if (fn && model.executeInternalOfFunction(fn)) checkReturned(context, model, node, node.argument);
      },
      'ArrowFunctionExpression > :expression.body'(node: TSESTree.Expression) {
        if (model.executeInternalOfFunction(node.parent)) checkReturned(context, model, node, node);
      },
      'FunctionExpression:exit': checkEnd,
      'ArrowFunctionExpression:exit': checkEnd,
    };
  },
});

function verdictOf(context: Context, model: SafecallModel, value: TSESTree.Expression): OutcomeVerdict {
  const bySyntax = outcomeVerdictBySyntax(value);
  if (bySyntax !== 'unknown' || !model.typed) return bySyntax;
  return outcomeVerdictByType(value, ESLintUtils.getParserServices(context));
}

function checkReturned(context: Context, model: SafecallModel, node: TSESTree.Node, value: TSESTree.Expression | null): void {
  if (value && verdictOf(context, model, value) !== 'notOutcome') return;
  const outcome = outcomeReference(node, context.sourceCode, model.settings);
  const replace = (replacement: string) =>
    function* fix(fixer: TSESLint.RuleFixer) {
      if (value) yield fixer.replaceText(value, replacement);
      else yield fixer.replaceText(node, `return ${replacement};`);
      if (outcome.addImport) yield outcome.addImport(fixer);
    };
  const isFalse = value?.type === AST_NODE_TYPES.Literal && value.value === false;
  // `return true` and `return;` mean "done, nothing to record": Ok without a value.
  const isTrue = value?.type === AST_NODE_TYPES.Literal && value.value === true;
  const okValue = !value || isTrue || isUndefined(value) ? 'undefined' : context.sourceCode.getText(value);
  const suggestions: TSESLint.SuggestionReportDescriptor<MessageIds>[] = isFalse
    ? [
        { messageId: 'returnRetry', data: { replacement: `${outcome.name}.retry('...')` }, fix: replace(`${outcome.name}.retry('executeInternal failed')`) },
        { messageId: 'returnFail', data: { replacement: `${outcome.name}.fail('...')` }, fix: replace(`${outcome.name}.fail('FAILED', 'executeInternal failed')`) },
      ]
    : [{ messageId: 'wrapInOk', data: { replacement: `${outcome.name}.ok(${okValue})` }, fix: replace(`${outcome.name}.ok(${okValue})`) }];
  context.report({
    node,
    messageId: 'notOutcome',
    data: { value: describeReturnedValue(value, context.sourceCode) },
    suggest: suggestions,
  });
}

function isUndefined(node: TSESTree.Expression): boolean {
  return (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined') || (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'void');
}

function reportMissingReturn(context: Context, body: TSESTree.BlockStatement): void {
  const closingBrace = context.sourceCode.getLastToken(body);
  context.report({ loc: closingBrace?.loc ?? body.loc, messageId: 'missingReturn' });
}

/** ESLint's code-path events (not in typescript-eslint's listener types, hence the cast), as in ESLint's getter-return. */
function trackCodePaths(frames: CodePathFrame[]): TSESLint.RuleListener {
  const top = () => frames[frames.length - 1]?.segments;
  const listener = {
    onCodePathStart: (_codePath: TSESLint.CodePath, node: TSESTree.Node) => frames.push({ node, segments: new Set() }),
    onCodePathEnd: () => frames.pop(),
    onCodePathSegmentStart: (segment: TSESLint.CodePathSegment) => top()?.add(segment),
    onCodePathSegmentEnd: (segment: TSESLint.CodePathSegment) => top()?.delete(segment),
    onUnreachableCodePathSegmentStart: (segment: TSESLint.CodePathSegment) => top()?.add(segment),
    onUnreachableCodePathSegmentEnd: (segment: TSESLint.CodePathSegment) => top()?.delete(segment),
  };
  return listener as unknown as TSESLint.RuleListener;
}
