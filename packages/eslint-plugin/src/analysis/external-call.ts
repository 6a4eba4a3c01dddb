import { AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { findVariable, localObjectLiteral } from './fresh-value.js';
import { calleeName, calleeText, propertyName } from './transaction-scope.js';
import { classifyTypedCall } from './external-call-types.js';
import { thisFieldSources } from './model-ast.js';

/** Which packages make network calls, and which of their methods do not. */
export interface ExternalCallOptions {
  /** Provider SDKs whose client methods make network calls. `@scope/*` covers a whole scope. */
  readonly sdkPackages: readonly string[];
  /** HTTP client packages: calling the import itself (`axios(...)`, `got(...)`) is a request too. */
  readonly httpPackages: readonly string[];
  /** Global functions that make requests. */
  readonly networkGlobals: readonly string[];
  /** Methods of those packages that do no I/O (`constructEvent`, `createTransport`, `messaging`). */
  readonly localMethods: readonly string[];
}

export const defaultExternalCallOptions: ExternalCallOptions = {
  sdkPackages: [
    'stripe',
    '@aws-sdk/*',
    'aws-sdk',
    'twilio',
    'firebase-admin',
    '@sendgrid/*',
    'nodemailer',
    '@mollie/api-client',
    'braintree',
    '@paypal/*',
    '@adyen/*',
    'square',
    '@slack/web-api',
    'mailgun.js',
    'postmark',
    'resend',
    'plaid',
    '@google-cloud/*',
    'googleapis',
    'openai',
  ],
  httpPackages: [
    'axios',
    'got',
    'ky',
    'undici',
    'node-fetch',
    'cross-fetch',
    'isomorphic-fetch',
    'superagent',
    'needle',
    'request',
    'request-promise',
    '@nestjs/axios',
    'http',
    'https',
    'http2',
  ],
  networkGlobals: ['fetch'],
  localMethods: [
    // client factories and configuration
    'createTransport',
    'createClient',
    'initializeApp',
    'app',
    'messaging',
    'firestore',
    'auth',
    'storage',
    'database',
    'getMessaging',
    'getFirestore',
    'getAuth',
    'getStorage',
    'setApiKey',
    'setClient',
    'setDefaultRequest',
    'setSubstitutionWrappers',
    'getTestMessageUrl',
    'createServer',
    'Agent',
    // webhooks and signatures are verified locally
    'constructEvent',
    'constructEventAsync',
    'generateTestHeaderString',
    'generateTestHeaderStringAsync',
    'validateRequest',
    'validateRequestWithBody',
    'validateExpressRequest',
    'validateIncomingRequest',
    'getExpectedTwilioSignature',
    'webhook',
    // errors, events, builders
    'isAxiosError',
    'isCancel',
    'isHttpError',
    'on',
    'once',
    'off',
    'emit',
    'addListener',
    'removeListener',
    'use',
    'collection',
    'doc',
    'ref',
    'child',
    'bucket',
    'file',
    'batch',
    'toJSON',
    'toString',
    'destroy',
  ],
};

export const externalCallOptionsSchema = {
  sdkPackages: {
    type: 'array',
    items: { type: 'string' },
    description: 'Provider SDK packages whose client methods make network calls; `@scope/*` covers a scope.',
  },
  httpPackages: {
    type: 'array',
    items: { type: 'string' },
    description: 'HTTP client packages; calling the import itself is a request too.',
  },
  networkGlobals: {
    type: 'array',
    items: { type: 'string' },
    description: 'Global functions that make requests.',
  },
  localMethods: {
    type: 'array',
    items: { type: 'string' },
    description: 'Methods of those packages that do no I/O.',
  },
} as const;

/** Namespaces on a client that do no I/O: `stripe.webhooks.*`, `twilio.twiml.*`, `axios.interceptors.*`. */
export const localNamespaces = new Set(['webhooks', 'twiml', 'errors', 'interceptors', 'defaults', 'middlewareStack', 'config']);

/** Called on the package's import itself these build a client (`axios.create()`); on a client they may send (`stripe.customers.create()`). */
const factoryMethods = new Set(['create', 'extend', 'defaults']);

/** Node's http/https modules make requests through these functions only (`createServer` serves). */
export const nodeHttpModules = new Set(['http', 'https', 'http2']);
export const nodeHttpRequestFunctions = new Set(['request', 'get', 'connect']);

export type ExternalOperation = 'read' | 'create' | 'update' | 'delete';

/** A network call, as the rules describe it. */
export interface ExternalCall {
  /** How the call reads in the source, without `this.`: `stripe.paymentIntents.create`, `fetch`. */
  readonly displayName: string;
  /** The package that makes the call: `stripe`, `@aws-sdk/client-s3`, `fetch` for the global. */
  readonly packageName: string;
  readonly kind: 'http' | 'sdk';
  /** What the call does, from the method name or the HTTP method. */
  readonly operation: ExternalOperation;
  /** True for anything but a read. */
  readonly mutates: boolean;
  /** The HTTP method of an HTTP call, when it is visible in the source. */
  readonly httpMethod?: string;
}

/** Where a value comes from: a package, and whether it is the import itself or something made from it. */
interface Origin {
  readonly packageName: string;
  /** True when the value is the binding imported from the package (or a namespace import's member). */
  readonly isImport: boolean;
  readonly importedName: string;
}

/**
 * Whether a call is a network call, and which: first by following the callee to an import in the
 * file (`import Stripe from 'stripe'`, `new Stripe(key)`, a field typed `Stripe`), then, when the
 * file has type information, by where the callee's declaration lives.
 */
export function classifyExternalCall(
  call: TSESTree.CallExpression,
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  options: ExternalCallOptions = defaultExternalCallOptions,
): ExternalCall | undefined {
  const syntactic = classifyCallBySyntax(call, context.sourceCode, options);
  if (syntactic) return syntactic;
  const services = ESLintUtils.getParserServices(context, true);
  if (!services.program) return undefined;
  const tsCall = services.esTreeNodeToTSNodeMap.get(call);
  return classifyTypedCall(tsCall, services.program, options);
}

/** The syntactic half of {@link classifyExternalCall}: import tracking within the file only. */
export function classifyCallBySyntax(
  call: TSESTree.CallExpression,
  sourceCode: TSESLint.SourceCode,
  options: ExternalCallOptions = defaultExternalCallOptions,
): ExternalCall | undefined {
  const callee = unwrap(call.callee);
  const name = calleeName(callee);
  if (name === undefined || options.localMethods.includes(name)) return undefined;
  if (isChainedOnCallResult(callee, name)) return undefined;
  if (callee.type === AST_NODE_TYPES.Identifier && options.networkGlobals.includes(name)) {
    const variable = findVariable(sourceCode.getScope(callee), name);
    if (!variable || variable.defs.length === 0) return describeHttpCall(call, name, 'fetch', sourceCode);
  }
  const origin = originOf(callee, sourceCode, options, 0);
  if (!origin) return undefined;
  const receiverIsImport =
    callee.type === AST_NODE_TYPES.MemberExpression && originOf(callee.object, sourceCode, options, 0)?.isImport === true;
  return describeCall(call, callee, origin, receiverIsImport, options, sourceCode);
}

/** Promise and Observable methods on a call's result (`send().catch(...)`, `post().pipe(...)`): the call itself is the request. */
const resultChainMethods = new Set(['then', 'catch', 'finally', 'pipe', 'subscribe', 'toPromise']);

function isChainedOnCallResult(callee: TSESTree.Expression, name: string): boolean {
  if (callee.type !== AST_NODE_TYPES.MemberExpression || !resultChainMethods.has(name)) return false;
  return unwrap(callee.object).type === AST_NODE_TYPES.CallExpression;
}

function describeCall(
  call: TSESTree.CallExpression,
  callee: TSESTree.Expression,
  origin: Origin,
  receiverIsImport: boolean,
  options: ExternalCallOptions,
  sourceCode: TSESLint.SourceCode,
): ExternalCall | undefined {
  const name = calleeName(callee) ?? '';
  const isHttp = matchesPackage(origin.packageName, options.httpPackages);
  if (nodeHttpModules.has(origin.packageName)) {
    return nodeHttpRequestFunctions.has(name) ? describeHttpCall(call, displayNameOf(callee), origin.packageName, sourceCode) : undefined;
  }
  if (callee.type === AST_NODE_TYPES.Identifier && origin.isImport) {
    // `Stripe(key)`, `twilio(sid, token)`, `createMollieClient()` build clients; `axios(config)`, `got(url)` send.
    return isHttp ? describeHttpCall(call, displayNameOf(callee), origin.packageName, sourceCode) : undefined;
  }
  if (callee.type === AST_NODE_TYPES.MemberExpression && inLocalNamespace(callee)) return undefined;
  if (factoryMethods.has(name) && receiverIsImport) return undefined;
  if (isHttp) return describeHttpCall(call, displayNameOf(callee), origin.packageName, sourceCode);
  return {
    displayName: displayNameOf(callee),
    packageName: origin.packageName,
    kind: 'sdk',
    operation: operationOfSdkCall(name, call),
    mutates: operationOfSdkCall(name, call) !== 'read',
  };
}

function inLocalNamespace(member: TSESTree.MemberExpression): boolean {
  for (let object: TSESTree.Node = member.object; ; ) {
    if (object.type === AST_NODE_TYPES.MemberExpression) {
      const name = propertyName(object);
      if (name !== undefined && localNamespaces.has(name)) return true;
      object = object.object;
    } else if (object.type === AST_NODE_TYPES.CallExpression) {
      object = object.callee;
    } else {
      return false;
    }
  }
}

const readVerbs = /^(get|list|retrieve|search|find|fetch|read|head|describe|query|count|exists|download|lookup|preview|options|stat)([A-Z_]|$)/;
const deleteVerbs = /^(del|delete|remove|destroy|purge)([A-Z_]|$)/;
const updateVerbs = /^(update|modify|patch|set|put|upsert|replace|edit|change)([A-Z_]|$)/;

/** What an SDK method does, from its name: AWS SDK v3 `client.send(new GetObjectCommand())` by the command's name. */
export function operationOfSdkCall(methodName: string, call?: TSESTree.CallExpression): ExternalOperation {
  const argument = call?.arguments[0];
  if (methodName === 'send' && argument?.type === AST_NODE_TYPES.NewExpression) {
    const command = calleeName(argument.callee as TSESTree.Expression);
    if (command?.endsWith('Command')) return operationOfName(command.slice(0, -'Command'.length));
  }
  return operationOfName(methodName);
}

export function operationOfName(methodOrCommand: string): ExternalOperation {
  // AWS SDK v3 commands are PascalCase (`GetObject` from `GetObjectCommand`): read the verb the same way.
  const name = methodOrCommand.charAt(0).toLowerCase() + methodOrCommand.slice(1);
  if (readVerbs.test(name)) return 'read';
  if (deleteVerbs.test(name)) return 'delete';
  if (updateVerbs.test(name)) return 'update';
  return 'create';
}

const httpMethodNames = new Set(['get', 'head', 'options', 'post', 'put', 'patch', 'delete', 'del']);

/** An HTTP request: its method from `axios.post`, `got.put`, or `fetch(url, { method: 'POST' })`. */
function describeHttpCall(
  call: TSESTree.CallExpression,
  displayName: string,
  packageName: string,
  sourceCode: TSESLint.SourceCode,
): ExternalCall {
  const name = calleeName(unwrap(call.callee))?.toLowerCase() ?? '';
  const httpMethod = httpMethodNames.has(name) ? (name === 'del' ? 'DELETE' : name.toUpperCase()) : httpMethodInOptions(call, sourceCode);
  return {
    displayName,
    packageName,
    kind: 'http',
    operation: operationOfHttpMethod(httpMethod),
    mutates: operationOfHttpMethod(httpMethod) !== 'read',
    ...(httpMethod === undefined ? {} : { httpMethod }),
  };
}

function operationOfHttpMethod(method: string | undefined): ExternalOperation {
  switch (method) {
    case undefined:
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      return 'read';
    case 'DELETE':
      return 'delete';
    case 'PUT':
    case 'PATCH':
      return 'update';
    default:
      return 'create';
  }
}

/** `fetch(url, { method: 'POST' })`, `axios({ method: 'post', url })`, or options in a local `const init = {...}`: GET when no method is given. */
function httpMethodInOptions(call: TSESTree.CallExpression, sourceCode: TSESLint.SourceCode): string | undefined {
  for (const argument of call.arguments) {
    const options = localObjectLiteral(argument, sourceCode);
    if (!options) continue;
    const method = findProperty(options, 'method');
    if (!method) return 'GET';
    if (method.value.type === AST_NODE_TYPES.Literal && typeof method.value.value === 'string') {
      return method.value.value.toUpperCase();
    }
    return 'UNKNOWN';
  }
  return 'GET';
}

export function findProperty(object: TSESTree.ObjectExpression, name: string): TSESTree.Property | undefined {
  for (const property of object.properties) {
    if (property.type !== AST_NODE_TYPES.Property) continue;
    const key = property.key;
    const keyName =
      key.type === AST_NODE_TYPES.Identifier && !property.computed
        ? key.name
        : key.type === AST_NODE_TYPES.Literal
          ? String(key.value)
          : undefined;
    if (keyName !== undefined && keyName.toLowerCase() === name.toLowerCase()) return property;
  }
  return undefined;
}

export function displayNameOf(callee: TSESTree.Node): string {
  return calleeText(callee).replace(/^this\./, '');
}

function unwrap(expression: TSESTree.Expression): TSESTree.Expression {
  let current = expression;
  while (current.type === AST_NODE_TYPES.ChainExpression || current.type === AST_NODE_TYPES.TSNonNullExpression) {
    current = current.expression;
  }
  return current;
}

/** The package a module specifier belongs to: `firebase-admin/messaging` → `firebase-admin`, `node:https` → `https`. */
export function packageOfSpecifier(specifier: string): string {
  const bare = specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? bare);
}

export function matchesPackage(packageName: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith('/*') ? packageName.startsWith(pattern.slice(0, -1)) : packageName === pattern,
  );
}

function isNetworkPackage(packageName: string, options: ExternalCallOptions): boolean {
  return matchesPackage(packageName, options.sdkPackages) || matchesPackage(packageName, options.httpPackages);
}

const maxOriginHops = 6;

/** Follows an expression back to the network package it was made from, within the file. */
function originOf(
  node: TSESTree.Node,
  sourceCode: TSESLint.SourceCode,
  options: ExternalCallOptions,
  hops: number,
): Origin | undefined {
  if (hops > maxOriginHops) return undefined;
  switch (node.type) {
    case AST_NODE_TYPES.Identifier:
      return originOfIdentifier(node, sourceCode, options, hops);
    case AST_NODE_TYPES.MemberExpression: {
      if (node.object.type === AST_NODE_TYPES.ThisExpression) return originOfThisMember(node, sourceCode, options, hops);
      const origin = originOf(node.object, sourceCode, options, hops + 1);
      // A member of a namespace import is still the package's own export: `import * as admin from 'firebase-admin'`.
      if (origin?.isImport && origin.importedName === '*') {
        return { ...origin, importedName: propertyName(node) ?? '*' };
      }
      return origin && { ...origin, isImport: false };
    }
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression: {
      if (isRequireCall(node)) return originOfSpecifier(requireSpecifier(node), 'default', options);
      const origin = originOf(node.callee, sourceCode, options, hops + 1);
      return origin && { ...origin, isImport: false };
    }
    case AST_NODE_TYPES.AwaitExpression:
      return originOf(node.argument, sourceCode, options, hops + 1);
    case AST_NODE_TYPES.ChainExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.TSAsExpression:
      return originOf(node.expression, sourceCode, options, hops + 1);
    default:
      return undefined;
  }
}

function originOfSpecifier(specifier: string | undefined, importedName: string, options: ExternalCallOptions): Origin | undefined {
  if (specifier === undefined) return undefined;
  const packageName = packageOfSpecifier(specifier);
  return isNetworkPackage(packageName, options) ? { packageName, isImport: true, importedName } : undefined;
}

function originOfIdentifier(
  identifier: TSESTree.Identifier,
  sourceCode: TSESLint.SourceCode,
  options: ExternalCallOptions,
  hops: number,
): Origin | undefined {
  const variable = findVariable(sourceCode.getScope(identifier), identifier.name);
  const definition = variable?.defs[0];
  if (!definition) return undefined;
  const node = definition.node;
  switch (node.type) {
    case AST_NODE_TYPES.ImportDefaultSpecifier:
      return originOfSpecifier(node.parent.source.value, 'default', options);
    case AST_NODE_TYPES.ImportNamespaceSpecifier:
      return originOfSpecifier(node.parent.source.value, '*', options);
    case AST_NODE_TYPES.ImportSpecifier: {
      const imported = node.imported.type === AST_NODE_TYPES.Identifier ? node.imported.name : node.imported.value;
      return originOfSpecifier(node.parent.source?.value, imported === 'default' ? 'default' : imported, options);
    }
    case AST_NODE_TYPES.TSImportEqualsDeclaration:
      return node.moduleReference.type === AST_NODE_TYPES.TSExternalModuleReference
        ? originOfSpecifier(node.moduleReference.expression.value, 'default', options)
        : undefined;
    case AST_NODE_TYPES.VariableDeclarator:
      return originOfDeclarator(node, identifier.name, sourceCode, options, hops);
    default:
      // Parameters: `function charge(stripe: Stripe)`, `constructor(private readonly s3: S3Client)`.
      return definition.type === 'Parameter' ? originOfAnnotated(definition.name, sourceCode, options, hops) : undefined;
  }
}

function originOfDeclarator(
  declarator: TSESTree.VariableDeclarator,
  name: string,
  sourceCode: TSESLint.SourceCode,
  options: ExternalCallOptions,
  hops: number,
): Origin | undefined {
  if (declarator.id.type === AST_NODE_TYPES.Identifier && declarator.id.typeAnnotation) {
    const annotated = originOfType(declarator.id.typeAnnotation.typeAnnotation, sourceCode, options, hops);
    if (annotated) return annotated;
  }
  if (!declarator.init) return undefined;
  const origin = originOf(declarator.init, sourceCode, options, hops + 1);
  if (!origin) return undefined;
  // `const { S3Client } = require('@aws-sdk/client-s3')` is the package's export, `const { paymentIntents } = stripe` a member.
  if (declarator.id.type === AST_NODE_TYPES.ObjectPattern) {
    return origin.isImport ? { ...origin, importedName: name } : { ...origin, isImport: false };
  }
  return origin;
}

/** A parameter or field's origin from its type annotation. */
function originOfAnnotated(
  node: TSESTree.Node,
  sourceCode: TSESLint.SourceCode,
  options: ExternalCallOptions,
  hops: number,
): Origin | undefined {
  const annotation =
    'typeAnnotation' in node && node.typeAnnotation && node.typeAnnotation.type === AST_NODE_TYPES.TSTypeAnnotation
      ? node.typeAnnotation.typeAnnotation
      : undefined;
  return annotation ? originOfType(annotation, sourceCode, options, hops) : undefined;
}

/** Names of types that are clients, not data: `S3Client`, `Twilio`, `Transporter`, `OrdersController`. */
const clientTypeName = /(Client|Api|API|Service|Controller|Transport|Transporter|Instance|Messaging|Mail|Gateway|Sdk|SDK)$/;

/** `Stripe` from 'stripe', `OpenAI` from 'openai': the named export that is the package's client class. */
function namesPackage(typeName: string, packageName: string): boolean {
  const last = packageName.split('/').pop() ?? packageName;
  return typeName.toLowerCase() === last.replace(/[^a-z0-9]/gi, '').toLowerCase();
}

/**
 * The origin of a value from its declared type: `Stripe` (the default import), `S3Client`,
 * `ReturnType<typeof createMollieClient>`, `AxiosInstance`. Data types (`Stripe.PaymentIntent`) are not clients.
 */
function originOfType(
  type: TSESTree.TypeNode,
  sourceCode: TSESLint.SourceCode,
  options: ExternalCallOptions,
  hops: number,
): Origin | undefined {
  if (type.type === AST_NODE_TYPES.TSTypeQuery) {
    const origin = type.exprName.type === AST_NODE_TYPES.Identifier ? originOf(type.exprName, sourceCode, options, hops + 1) : undefined;
    return origin && { ...origin, isImport: false };
  }
  if (type.type !== AST_NODE_TYPES.TSTypeReference) return undefined;
  const typeName = type.typeName;
  if (typeName.type === AST_NODE_TYPES.Identifier) {
    if (['ReturnType', 'InstanceType', 'Awaited'].includes(typeName.name)) {
      const argument = type.typeArguments?.params[0];
      return argument ? originOfType(argument, sourceCode, options, hops + 1) : undefined;
    }
    const origin = originOfIdentifier(typeName, sourceCode, options, hops + 1);
    if (!origin?.isImport) return undefined;
    const isClient =
      origin.importedName === 'default' ||
      origin.importedName === '*' ||
      clientTypeName.test(typeName.name) ||
      namesPackage(typeName.name, origin.packageName);
    return isClient ? { ...origin, isImport: false } : undefined;
  }
  if (typeName.type === AST_NODE_TYPES.TSQualifiedName && clientTypeName.test(typeName.right.name)) {
    let left: TSESTree.EntityName = typeName.left;
    while (left.type === AST_NODE_TYPES.TSQualifiedName) left = left.left;
    if (left.type !== AST_NODE_TYPES.Identifier) return undefined;
    const origin = originOfIdentifier(left, sourceCode, options, hops + 1);
    return origin && { ...origin, isImport: false };
  }
  return undefined;
}

/** `this.stripe`: a field with a client type or initialiser, a parameter property, or `this.stripe = new Stripe()`. */
function originOfThisMember(
  member: TSESTree.MemberExpression,
  sourceCode: TSESLint.SourceCode,
  options: ExternalCallOptions,
  hops: number,
): Origin | undefined {
  const name = propertyName(member);
  if (name === undefined) return undefined;
  for (const source of thisFieldSources(member, name)) {
    const origin =
      (source.type ? originOfType(source.type, sourceCode, options, hops) : undefined) ??
      (source.value ? originOf(source.value, sourceCode, options, hops + 1) : undefined);
    if (origin) return origin;
  }
  return undefined;
}

function isRequireCall(node: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  return (
    node.type === AST_NODE_TYPES.CallExpression &&
    node.callee.type === AST_NODE_TYPES.Identifier &&
    node.callee.name === 'require' &&
    requireSpecifier(node) !== undefined
  );
}

function requireSpecifier(node: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  const argument = node.arguments[0];
  return argument?.type === AST_NODE_TYPES.Literal && typeof argument.value === 'string' ? argument.value : undefined;
}
