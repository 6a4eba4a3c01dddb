/**
 * What an Outcome is, and how a fix writes one. `executeInternal` must answer with the runtime's
 * closed union `Outcome = Ok | Retry | Fail`, discriminated on `kind`.
 */
import { ASTUtils, AST_NODE_TYPES, type ParserServices, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { SafecallModelSettings } from './safecall-model.js';
import { keyName } from './model-ast.js';

export type OutcomeVerdict = 'outcome' | 'notOutcome' | 'unknown';

const outcomeKinds = new Set(['ok', 'retry', 'fail']);

/**
 * Without types: an `Outcome.x(...)` call (through any import or namespace), an object literal with a
 * `kind`, or a conditional of those is an Outcome; literals, `undefined`, `void`, comparisons and
 * negations are not; anything else (a variable, an awaited helper) cannot be judged.
 */
export function outcomeVerdictBySyntax(node: TSESTree.Expression): OutcomeVerdict {
  switch (node.type) {
    case AST_NODE_TYPES.CallExpression:
      return isOutcomeFactoryCall(node) ? 'outcome' : 'unknown';
    case AST_NODE_TYPES.ObjectExpression:
      return node.properties.some((property) => property.type === AST_NODE_TYPES.Property && keyName(property.key) === 'kind')
        ? 'outcome'
        : 'notOutcome';
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.TemplateLiteral:
    case AST_NODE_TYPES.ArrayExpression:
      return 'notOutcome';
    case AST_NODE_TYPES.Identifier:
      return node.name === 'undefined' ? 'notOutcome' : 'unknown';
    case AST_NODE_TYPES.UnaryExpression:
      return node.operator === 'void' || node.operator === '!' || node.operator === 'typeof' ? 'notOutcome' : 'unknown';
    case AST_NODE_TYPES.BinaryExpression:
      return 'notOutcome';
    case AST_NODE_TYPES.ConditionalExpression: {
      const verdicts = [outcomeVerdictBySyntax(node.consequent), outcomeVerdictBySyntax(node.alternate)];
      if (verdicts.includes('notOutcome')) return 'notOutcome';
      return verdicts.every((verdict) => verdict === 'outcome') ? 'outcome' : 'unknown';
    }
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSSatisfiesExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.AwaitExpression:
      return node.type === AST_NODE_TYPES.AwaitExpression ? outcomeVerdictBySyntax(node.argument) : outcomeVerdictBySyntax(node.expression);
    default:
      return 'unknown';
  }
}

/** `Outcome.ok(...)`, `sc.Outcome.retry(...)`: the factory of any module, since a project may re-export it. */
function isOutcomeFactoryCall(call: TSESTree.CallExpression): boolean {
  const callee = call.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed) return false;
  const owner = callee.object;
  const ownerName =
    owner.type === AST_NODE_TYPES.Identifier
      ? owner.name
      : owner.type === AST_NODE_TYPES.MemberExpression && !owner.computed && owner.property.type === AST_NODE_TYPES.Identifier
        ? owner.property.name
        : undefined;
  return ownerName === 'Outcome' && callee.property.type === AST_NODE_TYPES.Identifier && outcomeKinds.has(callee.property.name);
}

/**
 * With types: an Outcome when every member of the (awaited) type has a `kind` of ok/retry/fail.
 * `any`, `unknown` and type parameters cannot be judged.
 */
export function outcomeVerdictByType(node: TSESTree.Expression, services: ParserServices): OutcomeVerdict {
  if (!services.program) return 'unknown';
  const checker = services.program.getTypeChecker();
  const type = checker.getAwaitedType(services.getTypeAtLocation(node)) ?? services.getTypeAtLocation(node);
  const members = type.isUnion() ? type.types : [type];
  let verdict: OutcomeVerdict = 'outcome';
  for (const member of members) {
    if (member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.Never)) {
      verdict = 'unknown';
      continue;
    }
    const kind = member.getProperty('kind');
    const kindType = kind ? checker.getTypeOfSymbol(kind) : undefined;
    const kinds = kindType?.isUnion() ? kindType.types : kindType ? [kindType] : [];
    const isOutcomeMember = kinds.length > 0 && kinds.every((candidate) => candidate.isStringLiteral() && outcomeKinds.has(candidate.value));
    if (!isOutcomeMember) return 'notOutcome';
  }
  return verdict;
}

/** A short description of a returned value for messages: `true`, `undefined`, `a raw value`. */
export function describeReturnedValue(node: TSESTree.Expression | null, sourceCode: TSESLint.SourceCode): string {
  if (!node) return 'undefined';
  if (node.type === AST_NODE_TYPES.Literal) return node.raw;
  if (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined') return 'undefined';
  const text = sourceCode.getText(node);
  return text.length <= 40 && !text.includes('\n') ? `\`${text}\`` : 'a value';
}

/**
 * How code at `node` names the Outcome factory, and the import to add when the file has none:
 * an `Outcome` binding in scope, a namespace import of the runtime (`sc.Outcome`), or a new import.
 */
export function outcomeReference(
  node: TSESTree.Node,
  sourceCode: TSESLint.SourceCode,
  settings: SafecallModelSettings,
): { name: string; addImport?: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix } {
  if (ASTUtils.findVariable(sourceCode.getScope(node), 'Outcome')) return { name: 'Outcome' };
  for (const statement of sourceCode.ast.body) {
    if (statement.type !== AST_NODE_TYPES.ImportDeclaration || !settings.runtimeModules.includes(statement.source.value)) continue;
    const namespace = statement.specifiers.find((specifier) => specifier.type === AST_NODE_TYPES.ImportNamespaceSpecifier);
    if (namespace) return { name: `${namespace.local.name}.Outcome` };
  }
  const module = settings.runtimeModules[0] ?? '@safecall/runtime';
  const imports = sourceCode.ast.body.filter((statement) => statement.type === AST_NODE_TYPES.ImportDeclaration);
  const lastImport = imports[imports.length - 1];
  const text = `import { Outcome } from '${module}';`;
  return {
    name: 'Outcome',
    addImport: (fixer) =>
      lastImport ? fixer.insertTextAfter(lastImport, `\n${text}`) : fixer.insertTextBeforeRange([0, 0], `${text}\n`),
  };
}
