/**
 * What the safecall pattern's classes are: Orchestrators, Finalizers, Reapers, commands, and an
 * orchestrator's `executeInternal`. Every rule and the project checker ask these questions here, so
 * each convention is defined once.
 *
 * Without type information a base class is recognised through the file's own imports (aliases,
 * namespace imports, `require`) and classes in the same file (abstract intermediates). With type
 * information the checker follows base classes across files and re-exports, and a base counts when
 * its declaration lives in a runtime package (decided by the package's name, so a workspace symlink
 * or a bundled copy both count).
 */
import { ASTUtils, AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import ts from 'typescript';
import { childNodes } from './model-ast.js';
import { isModuleIn, packageNameOf } from './model-package.js';

export type SafecallRole = 'orchestrator' | 'finalizer' | 'reaper';

/** The names the model looks for; every rule takes these as options (see `safecallModelSchemaProperties`). */
export interface SafecallModelOptions {
  /** Modules the base classes are imported from. */
  runtimeModules?: string[];
  orchestratorBases?: string[];
  finalizerBases?: string[];
  reaperBases?: string[];
  /** Interfaces a command extends or implements. */
  commandBases?: string[];
}

export type SafecallModelSettings = Readonly<Required<SafecallModelOptions>>;

export const defaultSafecallModelOptions: SafecallModelSettings = {
  runtimeModules: ['@safecall/runtime'],
  orchestratorBases: ['Orchestrator'],
  finalizerBases: ['Finalizer'],
  reaperBases: ['Reaper'],
  commandBases: ['Command'],
};

const nameList = (description: string): JSONSchema4 => ({
  type: 'array',
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
  description,
});

/** JSON-schema properties every rule spreads into its options object, so all rules share one vocabulary. */
export const safecallModelSchemaProperties: Record<keyof SafecallModelOptions, JSONSchema4> = {
  runtimeModules: nameList('Modules that export the safecall base classes (default: ["@safecall/runtime"]).'),
  orchestratorBases: nameList('Names of Orchestrator base classes exported by a runtime module (default: ["Orchestrator"]).'),
  finalizerBases: nameList('Names of Finalizer base classes exported by a runtime module (default: ["Finalizer"]).'),
  reaperBases: nameList('Names of Reaper base classes exported by a runtime module (default: ["Reaper"]).'),
  commandBases: nameList('Names of the Command interface exported by a runtime module (default: ["Command"]).'),
};

/** Fills in defaults; a given list replaces the default list. */
export function resolveSafecallModelOptions(options: SafecallModelOptions | undefined): SafecallModelSettings {
  return { ...defaultSafecallModelOptions, ...stripUndefined(options ?? {}) };
}

function stripUndefined(options: SafecallModelOptions): SafecallModelOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function roleOfBaseName(name: string, settings: SafecallModelSettings): SafecallRole | undefined {
  if (settings.orchestratorBases.includes(name)) return 'orchestrator';
  if (settings.finalizerBases.includes(name)) return 'finalizer';
  if (settings.reaperBases.includes(name)) return 'reaper';
  return undefined;
}

export const EXECUTE_INTERNAL = 'executeInternal';

export type ClassLike = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
export type FunctionLike = TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression | TSESTree.FunctionDeclaration;

export interface SafecallClass {
  readonly node: ClassLike;
  readonly role: SafecallRole;
  readonly abstract: boolean;
  /**
   * The type arguments given to the runtime base class, in this class's terms (through abstract
   * intermediates): `[Command, Result]` for an orchestrator, `[Orchestrator]` for a Finalizer/Reaper.
   * An argument written in another file (seen only through the checker) is `undefined`.
   */
  readonly typeArguments: readonly (TSESTree.TypeNode | undefined)[];
}

export interface ExecuteInternal {
  readonly classNode: ClassLike;
  readonly member: TSESTree.MethodDefinition | TSESTree.PropertyDefinition;
  readonly fn: TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;
}

export interface SafecallModel {
  readonly settings: SafecallModelSettings;
  /** True when the checker is available (the rule runs with type information). */
  readonly typed: boolean;
  classify(node: ClassLike): SafecallClass | undefined;
  /** The `executeInternal` of an Orchestrator class, if it defines one with a body. */
  executeInternalOf(node: ClassLike): ExecuteInternal | undefined;
  /** The orchestrator's `executeInternal` that `fn` is, if it is one. */
  executeInternalOfFunction(fn: TSESTree.Node): ExecuteInternal | undefined;
  /** The orchestrator's `executeInternal` that contains `node`, through any nesting. */
  enclosingExecuteInternal(node: TSESTree.Node): ExecuteInternal | undefined;
  /** Is this declaration a command: extends/implements `Command`, or is an orchestrator's first type argument. */
  isCommand(node: TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration | ClassLike): boolean;
  /** The TypeScript class declaration of the orchestrator a Finalizer/Reaper is for (type information only). */
  orchestratorDeclarationOf(node: ClassLike): ts.ClassLikeDeclaration | undefined;
  /**
   * Is this value an Orchestrator instance: `this` in an orchestrator, a variable made by `new X()` of an
   * orchestrator class in the file, or (with types) a value whose class is one. `undefined` when it cannot tell.
   */
  isOrchestratorInstance(node: TSESTree.Expression): boolean | undefined;
  /** True when the linted file belongs to a runtime package itself (which is allowed to drive the lifecycle). */
  readonly inRuntimePackage: boolean;
}

type AnyRuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

const modelsBySource = new WeakMap<object, Map<string, SafecallModel>>();

/** The model for the file being linted, built once per file and option set, shared by all rules. */
export function getSafecallModel(context: AnyRuleContext, options?: SafecallModelOptions): SafecallModel {
  const settings = resolveSafecallModelOptions(options);
  const key = JSON.stringify(settings);
  let models = modelsBySource.get(context.sourceCode);
  if (!models) {
    models = new Map();
    modelsBySource.set(context.sourceCode, models);
  }
  let model = models.get(key);
  if (!model) {
    model = createFileModel(context, settings);
    models.set(key, model);
  }
  return model;
}

// ---------------------------------------------------------------------------------------------
// The file model: syntax and the file's scopes first, the checker only for what syntax cannot decide.

type Resolved =
  | { kind: 'runtime'; name: string }
  | { kind: 'class'; node: ClassLike }
  | { kind: 'interface'; node: TSESTree.TSInterfaceDeclaration }
  | { kind: 'typeAlias'; node: TSESTree.TSTypeAliasDeclaration };

interface Classification {
  role: SafecallRole;
  typeArguments: readonly (TSESTree.TypeNode | undefined)[];
}

function createFileModel(context: AnyRuleContext, settings: SafecallModelSettings): SafecallModel {
  const sourceCode = context.sourceCode;
  const services = ESLintUtils.getParserServices(context, true);
  const program = services.program ?? undefined;
  const typedModel = program ? getTypedModel(program, settings) : undefined;
  const classifications = new WeakMap<ClassLike, Classification | null>();
  let localCommandNames: Set<string> | undefined;

  function resolve(expression: TSESTree.Node, depth = 0): Resolved | undefined {
    if (depth > 8) return undefined;
    if (expression.type === AST_NODE_TYPES.Identifier) return resolveIdentifier(expression, depth);
    const member = memberParts(expression);
    if (!member) return undefined;
    return isRuntimeNamespace(member.object) ? { kind: 'runtime', name: member.property } : undefined;
  }

  function resolveIdentifier(identifier: TSESTree.Identifier, depth: number): Resolved | undefined {
    const variable = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier.name);
    for (const definition of variable?.defs ?? []) {
      const node = definition.node;
      switch (node.type) {
        case AST_NODE_TYPES.ImportSpecifier:
          if (isModuleIn(String(node.parent.source?.value), settings.runtimeModules)) {
            return { kind: 'runtime', name: moduleExportName(node.imported) };
          }
          return undefined;
        case AST_NODE_TYPES.ClassDeclaration:
        case AST_NODE_TYPES.ClassExpression:
          return { kind: 'class', node };
        case AST_NODE_TYPES.TSInterfaceDeclaration:
          return { kind: 'interface', node };
        case AST_NODE_TYPES.TSTypeAliasDeclaration:
          return { kind: 'typeAlias', node };
        case AST_NODE_TYPES.VariableDeclarator:
          return resolveDeclarator(node, identifier.name, depth);
        default:
          break;
      }
    }
    return undefined;
  }

  // `const Base = Orchestrator`, `const Base = sc.Orchestrator`, `const { Orchestrator } = require('@safecall/runtime')`.
  function resolveDeclarator(node: TSESTree.VariableDeclarator, name: string, depth: number): Resolved | undefined {
    const init = node.init;
    if (!init) return undefined;
    if (node.id.type === AST_NODE_TYPES.Identifier) {
      if (init.type === AST_NODE_TYPES.ClassExpression) return { kind: 'class', node: init };
      return resolve(init, depth + 1);
    }
    if (node.id.type === AST_NODE_TYPES.ObjectPattern && isRuntimeRequire(init)) {
      for (const property of node.id.properties) {
        if (property.type !== AST_NODE_TYPES.Property) continue;
        const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
        if (value.type === AST_NODE_TYPES.Identifier && value.name === name) {
          const key = propertyName(property);
          return key === undefined ? undefined : { kind: 'runtime', name: key };
        }
      }
    }
    return undefined;
  }

  function isRuntimeNamespace(node: TSESTree.Node): boolean {
    if (node.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = ASTUtils.findVariable(sourceCode.getScope(node), node.name);
    return (variable?.defs ?? []).some((definition) => {
      const declared = definition.node;
      if (declared.type === AST_NODE_TYPES.ImportNamespaceSpecifier || declared.type === AST_NODE_TYPES.ImportDefaultSpecifier) {
        return isModuleIn(String(declared.parent.source.value), settings.runtimeModules);
      }
      if (declared.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
        const reference = declared.moduleReference;
        return (
          reference.type === AST_NODE_TYPES.TSExternalModuleReference &&
          isModuleIn(String(reference.expression.value), settings.runtimeModules)
        );
      }
      return declared.type === AST_NODE_TYPES.VariableDeclarator && declared.init !== null && isRuntimeRequire(declared.init);
    });
  }

  function isRuntimeRequire(node: TSESTree.Expression): boolean {
    return (
      node.type === AST_NODE_TYPES.CallExpression &&
      node.callee.type === AST_NODE_TYPES.Identifier &&
      node.callee.name === 'require' &&
      node.arguments[0]?.type === AST_NODE_TYPES.Literal &&
      typeof node.arguments[0].value === 'string' &&
      isModuleIn(node.arguments[0].value, settings.runtimeModules)
    );
  }

  function classifySyntactically(node: ClassLike, seen: Set<ClassLike>): Classification | undefined {
    const cached = classifications.get(node);
    if (cached !== undefined) return cached ?? undefined;
    if (!node.superClass || seen.has(node)) return undefined;
    seen.add(node);
    const base = resolve(node.superClass);
    const args = node.superTypeArguments?.params ?? [];
    let result: Classification | undefined;
    if (base?.kind === 'runtime') {
      const role = roleOfBaseName(base.name, settings);
      if (role) result = { role, typeArguments: args };
    } else if (base?.kind === 'class') {
      const inner = classifySyntactically(base.node, seen);
      if (inner) {
        result = { role: inner.role, typeArguments: substituteTypeArguments(inner.typeArguments, base.node.typeParameters, args) };
      }
    }
    classifications.set(node, result ?? null);
    return result;
  }

  function classifyWithTypes(node: ClassLike): Classification | undefined {
    if (!typedModel || !node.superClass) return undefined;
    const tsNode = services.esTreeNodeToTSNodeMap.get(node) as ts.ClassLikeDeclaration;
    const typed = typedModel.classify(tsNode);
    if (!typed) return undefined;
    const typeArguments = typed.typeArguments.map((argument) => services.tsNodeToESTreeNodeMap.get(argument) as TSESTree.TypeNode | undefined);
    return { role: typed.role, typeArguments };
  }

  function classification(node: ClassLike): Classification | undefined {
    const syntactic = classifySyntactically(node, new Set());
    if (syntactic || !typedModel) return syntactic;
    const typed = classifyWithTypes(node);
    classifications.set(node, typed ?? null);
    return typed;
  }

  function classify(node: ClassLike): SafecallClass | undefined {
    const found = classification(node);
    return found && { node, role: found.role, abstract: node.type === AST_NODE_TYPES.ClassDeclaration && node.abstract, typeArguments: found.typeArguments };
  }

  function executeInternalMember(node: ClassLike): ExecuteInternal | undefined {
    for (const member of node.body.body) {
      const fn = executeInternalFunctionOf(member);
      if (fn) return { classNode: node, member: member as ExecuteInternal['member'], fn };
    }
    return undefined;
  }

  function executeInternalOf(node: ClassLike): ExecuteInternal | undefined {
    const found = executeInternalMember(node);
    return found && classify(node)?.role === 'orchestrator' ? found : undefined;
  }

  function executeInternalOfFunction(fn: TSESTree.Node): ExecuteInternal | undefined {
    if (fn.type !== AST_NODE_TYPES.FunctionExpression && fn.type !== AST_NODE_TYPES.ArrowFunctionExpression) return undefined;
    const member = fn.parent;
    if (!member || executeInternalFunctionOf(member) !== fn) return undefined;
    const classNode = member.parent?.parent;
    if (!classNode || (classNode.type !== AST_NODE_TYPES.ClassDeclaration && classNode.type !== AST_NODE_TYPES.ClassExpression)) return undefined;
    if (classify(classNode)?.role !== 'orchestrator') return undefined;
    return { classNode, member: member as ExecuteInternal['member'], fn };
  }

  function enclosingExecuteInternal(node: TSESTree.Node): ExecuteInternal | undefined {
    for (let current: TSESTree.Node | undefined = node; current; current = current.parent) {
      const found = executeInternalOfFunction(current);
      if (found) return found;
    }
    return undefined;
  }

  function commandNamesOfFile(): Set<string> {
    if (localCommandNames) return localCommandNames;
    localCommandNames = new Set();
    for (const classNode of classesOf(sourceCode.ast)) {
      if (classify(classNode)?.role !== 'orchestrator') continue;
      const name = typeReferenceName(classification(classNode)?.typeArguments[0]);
      if (name) localCommandNames.add(name);
    }
    return localCommandNames;
  }

  function extendsCommand(node: TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration | ClassLike, seen: Set<TSESTree.Node>): boolean {
    if (seen.has(node)) return false;
    seen.add(node);
    return heritageOf(node).some((reference) => {
      const target = resolve(reference);
      if (!target) return false;
      if (target.kind === 'runtime') return settings.commandBases.includes(target.name);
      return extendsCommand(target.node, seen);
    });
  }

  function isCommand(node: TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration | ClassLike): boolean {
    if (extendsCommand(node, new Set())) return true;
    const name = node.id?.name;
    if (name && commandNamesOfFile().has(name)) return true;
    if (!typedModel) return false;
    const tsNode = services.esTreeNodeToTSNodeMap.get(node) as ts.Declaration;
    return typedModel.isCommand(tsNode);
  }

  function orchestratorDeclarationOf(node: ClassLike): ts.ClassLikeDeclaration | undefined {
    if (!typedModel) return undefined;
    return typedModel.orchestratorOf(services.esTreeNodeToTSNodeMap.get(node) as ts.ClassLikeDeclaration);
  }

  function isOrchestratorInstance(node: TSESTree.Expression): boolean | undefined {
    const bySyntax = orchestratorInstanceBySyntax(node);
    if (bySyntax !== undefined || !typedModel || !program) return bySyntax;
    const type = program.getTypeChecker().getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node));
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
    const declarations = (type.isUnionOrIntersection() ? type.types : [type]).flatMap((member) => member.getSymbol()?.declarations ?? []);
    return declarations.some((declaration) => ts.isClassLike(declaration) && typedModel.classify(declaration)?.role === 'orchestrator');
  }

  function orchestratorInstanceBySyntax(node: TSESTree.Expression): boolean | undefined {
    if (node.type === AST_NODE_TYPES.ThisExpression) {
      const classNode = enclosingClass(node);
      return classNode ? classify(classNode)?.role === 'orchestrator' : undefined;
    }
    if (node.type !== AST_NODE_TYPES.Identifier) return undefined;
    const definition = ASTUtils.findVariable(sourceCode.getScope(node), node.name)?.defs[0];
    const init = definition?.node.type === AST_NODE_TYPES.VariableDeclarator ? definition.node.init : null;
    if (init?.type !== AST_NODE_TYPES.NewExpression) return undefined;
    const made = resolve(init.callee);
    return made?.kind === 'class' ? classify(made.node)?.role === 'orchestrator' : undefined;
  }

  return {
    settings,
    typed: typedModel !== undefined,
    isOrchestratorInstance,
    inRuntimePackage: isModuleIn(packageNameOf(context.filename) ?? '', settings.runtimeModules),
    classify,
    executeInternalOf,
    executeInternalOfFunction,
    enclosingExecuteInternal,
    isCommand,
    orchestratorDeclarationOf,
  };
}

function executeInternalFunctionOf(member: TSESTree.Node): ExecuteInternal['fn'] | undefined {
  if (member.type !== AST_NODE_TYPES.MethodDefinition && member.type !== AST_NODE_TYPES.PropertyDefinition) return undefined;
  if (member.computed || member.static || propertyKeyName(member.key) !== EXECUTE_INTERNAL) return undefined;
  const value = member.value;
  if (value?.type === AST_NODE_TYPES.FunctionExpression || value?.type === AST_NODE_TYPES.ArrowFunctionExpression) return value;
  return undefined;
}

/** The type names a declaration extends or implements, as expressions or qualified names. */
function heritageOf(node: TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration | ClassLike): TSESTree.Node[] {
  switch (node.type) {
    case AST_NODE_TYPES.TSInterfaceDeclaration:
      return node.extends.map((heritage) => heritage.expression);
    case AST_NODE_TYPES.TSTypeAliasDeclaration:
      return intersectionMembers(node.typeAnnotation).flatMap((member) =>
        member.type === AST_NODE_TYPES.TSTypeReference ? [member.typeName] : [],
      );
    default:
      return [...(node.superClass ? [node.superClass] : []), ...node.implements.map((heritage) => heritage.expression)];
  }
}

function intersectionMembers(node: TSESTree.TypeNode): TSESTree.TypeNode[] {
  return node.type === AST_NODE_TYPES.TSIntersectionType ? node.types.flatMap(intersectionMembers) : [node];
}

/** `a.B` as an expression or as a qualified type name. */
function memberParts(node: TSESTree.Node): { object: TSESTree.Node; property: string } | undefined {
  if (node.type === AST_NODE_TYPES.MemberExpression && !node.computed && node.property.type === AST_NODE_TYPES.Identifier) {
    return { object: node.object, property: node.property.name };
  }
  if (node.type === AST_NODE_TYPES.TSQualifiedName) return { object: node.left, property: node.right.name };
  return undefined;
}

function moduleExportName(node: TSESTree.Identifier | TSESTree.StringLiteral): string {
  return node.type === AST_NODE_TYPES.Identifier ? node.name : node.value;
}

function propertyKeyName(key: TSESTree.Node): string | undefined {
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === 'string') return key.value;
  return undefined;
}

function propertyName(property: TSESTree.Property): string | undefined {
  return property.computed ? undefined : propertyKeyName(property.key);
}

function typeReferenceName(node: TSESTree.TypeNode | undefined): string | undefined {
  if (node?.type !== AST_NODE_TYPES.TSTypeReference) return undefined;
  return node.typeName.type === AST_NODE_TYPES.Identifier ? node.typeName.name : undefined;
}

/**
 * Type arguments an intermediate class passes to its base, rewritten in the subclass's terms:
 * `abstract class GatewayOrchestrator<C> extends Orchestrator<C, R>` seen from
 * `class PaymentOrchestrator extends GatewayOrchestrator<ChargeCommand>` gives `[ChargeCommand, R]`.
 */
function substituteTypeArguments(
  inner: readonly (TSESTree.TypeNode | undefined)[],
  parameters: TSESTree.TSTypeParameterDeclaration | undefined,
  given: readonly TSESTree.TypeNode[],
): (TSESTree.TypeNode | undefined)[] {
  return inner.map((argument) => {
    const name = argument?.type === AST_NODE_TYPES.TSTypeReference && !argument.typeArguments ? typeReferenceName(argument) : undefined;
    const index = name === undefined ? -1 : (parameters?.params.findIndex((parameter) => parameter.name.name === name) ?? -1);
    if (index < 0) return argument;
    return given[index] ?? parameters?.params[index]?.default ?? argument;
  });
}

/** Every class in a file, including nested and expression classes. */
function classesOf(program: TSESTree.Program): ClassLike[] {
  const found: ClassLike[] = [];
  const stack: TSESTree.Node[] = [program];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression) found.push(node);
    stack.push(...childNodes(node));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The typed model: TypeScript declarations across the program, cached per program and option set.

export interface TypedClassification {
  readonly role: SafecallRole;
  /** Type arguments given to the runtime base, in the class's own terms (nodes may live in other files). */
  readonly typeArguments: readonly ts.TypeNode[];
}

export interface TypedSafecallModel {
  classify(declaration: ts.ClassLikeDeclaration): TypedClassification | undefined;
  /** Extends/implements the runtime's Command (through other interfaces), or is an orchestrator's first type argument. */
  isCommand(declaration: ts.Declaration): boolean;
  /** For a Finalizer/Reaper: the orchestrator class declaration it is for. */
  orchestratorOf(declaration: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined;
  /** The program-wide index; built on first use. */
  index(): SafecallIndex;
}

export interface IndexedClass {
  readonly declaration: ts.ClassLikeDeclaration;
  readonly name: string;
  readonly role: SafecallRole;
  readonly abstract: boolean;
  /** For a Finalizer/Reaper: the orchestrator it is for, when it can be resolved. */
  readonly orchestrator: ts.ClassLikeDeclaration | undefined;
}

export interface SafecallIndex {
  readonly orchestrators: readonly IndexedClass[];
  readonly finalizers: readonly IndexedClass[];
  readonly reapers: readonly IndexedClass[];
  /** The Finalizers and Reapers declared for an orchestrator anywhere in the program. */
  recoveryOf(orchestrator: ts.ClassLikeDeclaration): { finalizers: readonly IndexedClass[]; reapers: readonly IndexedClass[] };
  /** Declarations used as an orchestrator's command type (first type argument). */
  readonly commandDeclarations: ReadonlySet<ts.Declaration>;
}

const typedModels = new WeakMap<ts.Program, Map<string, TypedSafecallModel>>();

/** The typed model of a program, built once per `ts.Program` and option set. */
export function getTypedSafecallModel(program: ts.Program, options?: SafecallModelOptions): TypedSafecallModel {
  return getTypedModel(program, resolveSafecallModelOptions(options));
}

/** Every Orchestrator, Finalizer and Reaper of a program and their pairing, built once per program. */
export function getSafecallIndex(program: ts.Program, options?: SafecallModelOptions): SafecallIndex {
  return getTypedSafecallModel(program, options).index();
}

function getTypedModel(program: ts.Program, settings: SafecallModelSettings): TypedSafecallModel {
  const key = JSON.stringify(settings);
  let models = typedModels.get(program);
  if (!models) {
    models = new Map();
    typedModels.set(program, models);
  }
  let model = models.get(key);
  if (!model) {
    model = createTypedModel(program, settings);
    models.set(key, model);
  }
  return model;
}

function createTypedModel(program: ts.Program, settings: SafecallModelSettings): TypedSafecallModel {
  const checker = program.getTypeChecker();
  const classifications = new Map<ts.ClassLikeDeclaration, TypedClassification | null>();
  const commandAnswers = new Map<ts.Declaration, boolean>();
  let builtIndex: SafecallIndex | undefined;

  function declarationsOf(node: ts.Node): ts.Declaration[] {
    const target = ts.isPropertyAccessExpression(node) ? node.name : ts.isQualifiedName(node) ? node.right : node;
    let symbol = checker.getSymbolAtLocation(target);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol?.declarations ?? [];
  }

  function isRuntimeDeclaration(declaration: ts.Declaration): boolean {
    for (let node: ts.Node | undefined = declaration.parent; node; node = node.parent) {
      if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) return isModuleIn(node.name.text, settings.runtimeModules);
    }
    const packageName = packageNameOf(declaration.getSourceFile().fileName);
    return packageName !== undefined && settings.runtimeModules.some((module) => isModuleIn(module, [packageName]));
  }

  function classify(declaration: ts.ClassLikeDeclaration, seen = new Set<ts.ClassLikeDeclaration>()): TypedClassification | undefined {
    const cached = classifications.get(declaration);
    if (cached !== undefined) return cached ?? undefined;
    if (seen.has(declaration)) return undefined;
    seen.add(declaration);
    const heritage = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    let result: TypedClassification | undefined;
    if (heritage) {
      const given = heritage.typeArguments ?? [];
      for (const base of declarationsOf(heritage.expression)) {
        if (!ts.isClassLike(base)) continue;
        const role = roleOfBaseName(base.name?.text ?? '', settings);
        if (role && isRuntimeDeclaration(base)) {
          result = { role, typeArguments: given };
        } else {
          const inner = classify(base, seen);
          if (inner) result = { role: inner.role, typeArguments: substituteTsTypeArguments(inner.typeArguments, base.typeParameters, given) };
        }
        if (result) break;
      }
    }
    classifications.set(declaration, result ?? null);
    return result;
  }

  function classDeclarationOf(typeNode: ts.TypeNode | undefined): ts.ClassLikeDeclaration | undefined {
    if (!typeNode || !ts.isTypeReferenceNode(typeNode)) return undefined;
    return declarationsOf(typeNode.typeName).find(ts.isClassLike);
  }

  function orchestratorOf(declaration: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
    const found = classify(declaration);
    if (!found || found.role === 'orchestrator') return undefined;
    return classDeclarationOf(found.typeArguments[0]);
  }

  function commandHeritage(declaration: ts.Declaration): ts.Node[] {
    if (ts.isInterfaceDeclaration(declaration) || ts.isClassLike(declaration)) {
      return (declaration.heritageClauses ?? []).flatMap((clause) => clause.types.map((type) => type.expression));
    }
    if (ts.isTypeAliasDeclaration(declaration)) {
      const members = ts.isIntersectionTypeNode(declaration.type) ? declaration.type.types : [declaration.type];
      return members.flatMap((member) => (ts.isTypeReferenceNode(member) ? [member.typeName] : []));
    }
    return [];
  }

  function extendsCommand(declaration: ts.Declaration, seen: Set<ts.Declaration>): boolean {
    if (seen.has(declaration)) return false;
    seen.add(declaration);
    return commandHeritage(declaration).some((reference) =>
      declarationsOf(reference).some((base) => {
        const name = ts.getNameOfDeclaration(base);
        if (name && ts.isIdentifier(name) && settings.commandBases.includes(name.text) && isRuntimeDeclaration(base)) return true;
        return extendsCommand(base, seen);
      }),
    );
  }

  function isCommand(declaration: ts.Declaration): boolean {
    let answer = commandAnswers.get(declaration);
    if (answer === undefined) {
      answer = extendsCommand(declaration, new Set()) || index().commandDeclarations.has(declaration);
      commandAnswers.set(declaration, answer);
    }
    return answer;
  }

  function index(): SafecallIndex {
    builtIndex ??= buildIndex(program, classify, orchestratorOf, declarationsOf);
    return builtIndex;
  }

  return { classify, isCommand, orchestratorOf, index };
}

function substituteTsTypeArguments(
  inner: readonly ts.TypeNode[],
  parameters: ts.NodeArray<ts.TypeParameterDeclaration> | undefined,
  given: readonly ts.TypeNode[],
): ts.TypeNode[] {
  return inner.map((argument) => {
    if (!ts.isTypeReferenceNode(argument) || argument.typeArguments || !ts.isIdentifier(argument.typeName)) return argument;
    const name = argument.typeName.text;
    const index = parameters?.findIndex((parameter) => parameter.name.text === name) ?? -1;
    if (index < 0) return argument;
    return given[index] ?? parameters?.[index]?.default ?? argument;
  });
}

function buildIndex(
  program: ts.Program,
  classify: (declaration: ts.ClassLikeDeclaration) => TypedClassification | undefined,
  orchestratorOf: (declaration: ts.ClassLikeDeclaration) => ts.ClassLikeDeclaration | undefined,
  declarationsOf: (node: ts.Node) => ts.Declaration[],
): SafecallIndex {
  const entries: IndexedClass[] = [];
  const commandDeclarations = new Set<ts.Declaration>();
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node) && node.heritageClauses) {
        const found = classify(node);
        if (found) {
          entries.push({
            declaration: node,
            name: node.name?.text ?? '(anonymous class)',
            role: found.role,
            abstract: (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Abstract) !== 0,
            orchestrator: found.role === 'orchestrator' ? undefined : orchestratorOf(node),
          });
          const command = found.role === 'orchestrator' ? found.typeArguments[0] : undefined;
          if (command && ts.isTypeReferenceNode(command)) {
            // An abstract intermediate's own type parameter (`C` in `Orchestrator<C, R>`) is no command declaration.
            for (const declaration of declarationsOf(command.typeName)) if (!ts.isTypeParameterDeclaration(declaration)) commandDeclarations.add(declaration);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  const byRole = (role: SafecallRole) => entries.filter((entry) => entry.role === role);
  const finalizers = byRole('finalizer');
  const reapers = byRole('reaper');
  return {
    orchestrators: byRole('orchestrator'),
    finalizers,
    reapers,
    recoveryOf: (orchestrator) => ({
      finalizers: finalizers.filter((entry) => entry.orchestrator === orchestrator),
      reapers: reapers.filter((entry) => entry.orchestrator === orchestrator),
    }),
    commandDeclarations,
  };
}

/** The class whose `this` a node sees: the nearest class, not crossing a non-arrow function. */
function enclosingClass(node: TSESTree.Node): ClassLike | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ClassDeclaration || current.type === AST_NODE_TYPES.ClassExpression) return current;
    if (current.type === AST_NODE_TYPES.FunctionDeclaration) return undefined;
    if (current.type === AST_NODE_TYPES.FunctionExpression && current.parent.type !== AST_NODE_TYPES.MethodDefinition && current.parent.type !== AST_NODE_TYPES.PropertyDefinition) {
      return undefined;
    }
  }
  return undefined;
}

/** The innermost function that contains `node` (not `node` itself). */
export function enclosingFunction(node: TSESTree.Node): FunctionLike | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (
      current.type === AST_NODE_TYPES.FunctionExpression ||
      current.type === AST_NODE_TYPES.ArrowFunctionExpression ||
      current.type === AST_NODE_TYPES.FunctionDeclaration
    ) {
      return current;
    }
  }
  return undefined;
}
