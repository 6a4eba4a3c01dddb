import ts from 'typescript';
import {
  localNamespaces,
  matchesPackage,
  nodeHttpModules,
  nodeHttpRequestFunctions,
  operationOfName,
  packageOfSpecifier,
  type ExternalCall,
  type ExternalCallOptions,
} from './external-call.js';

// The typed half of external-call.ts: TypeScript nodes and the checker, so it also works in files the
// linter has not parsed (the call graph follows calls into them).

const httpVerbs = new Set(['get', 'head', 'options', 'post', 'put', 'patch', 'delete']);

/** The package a file belongs to: `…/node_modules/@aws-sdk/client-s3/dist-types/…` → `@aws-sdk/client-s3`, `@types/x` → `x`. */
export function packageOfFile(fileName: string): string | undefined {
  const index = fileName.lastIndexOf('/node_modules/');
  if (index < 0) return undefined;
  const parts = fileName.slice(index + '/node_modules/'.length).split('/');
  const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  if (name?.startsWith('@types/')) {
    const typed = name.slice('@types/'.length);
    return typed.includes('__') ? `@${typed.replace('__', '/')}` : typed;
  }
  return name;
}

/** The last name a call is made by: `create` for `stripe.customers.create(...)`. */
export function tsCalleeName(expression: ts.Expression): string | undefined {
  const callee = skipWrappers(expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) {
    return callee.argumentExpression.text;
  }
  return undefined;
}

/** How a callee reads in a message, without `this.`: `stripe.paymentIntents.capture`, `handler.settle`. */
export function tsCalleeText(expression: ts.Expression): string {
  return calleeTextOf(skipWrappers(expression)).replace(/^this\./, '');
}

function calleeTextOf(node: ts.Expression): string {
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (node.kind === ts.SyntaxKind.SuperKeyword) return 'super';
  if (ts.isPropertyAccessExpression(node)) return `${calleeTextOf(skipWrappers(node.expression))}.${node.name.text}`;
  if (ts.isElementAccessExpression(node)) {
    const key = ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : '[…]';
    return `${calleeTextOf(skipWrappers(node.expression))}.${key}`;
  }
  if (ts.isCallExpression(node)) return `${calleeTextOf(skipWrappers(node.expression))}()`;
  if (ts.isNewExpression(node)) return `new ${calleeTextOf(skipWrappers(node.expression))}()`;
  return '…';
}

export function skipWrappers(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isAwaitExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

function isNetworkPackage(packageName: string, options: ExternalCallOptions): boolean {
  return matchesPackage(packageName, options.sdkPackages) || matchesPackage(packageName, options.httpPackages);
}

/**
 * Whether a call is a network call, by where its declaration lives: a method declared in (or on a
 * receiver whose type is declared in) a network package that returns a promise, `http.request`,
 * or the global `fetch`. Synchronous helpers (`stripe.webhooks.constructEvent`) return no promise.
 */
export function classifyTypedCall(
  call: ts.CallExpression,
  program: ts.Program,
  options: ExternalCallOptions,
): ExternalCall | undefined {
  const name = tsCalleeName(call.expression);
  if (name === undefined || options.localMethods.includes(name) || inLocalNamespace(call.expression)) return undefined;
  const checker = program.getTypeChecker();
  const signature = checker.getResolvedSignature(call);
  const declaration = signature?.declaration;
  const callee = skipWrappers(call.expression);
  if (ts.isIdentifier(callee) && options.networkGlobals.includes(name) && declaration && isGlobalDeclaration(declaration, program)) {
    return { displayName: name, packageName: name, kind: 'http', operation: 'read', mutates: false };
  }
  const packageName = networkPackageOf(declaration, callee, checker, options);
  if (packageName === undefined) return undefined;
  if (nodeHttpModules.has(packageName)) {
    return nodeHttpRequestFunctions.has(name) ? describe(call, packageName, 'http', name) : undefined;
  }
  // @nestjs/axios's HttpService returns an Observable that sends when it is subscribed to (`firstValueFrom`).
  if (!signature || !(returnsThenable(signature, checker) || returnsObservable(signature, checker))) return undefined;
  const kind = matchesPackage(packageName, options.httpPackages) ? 'http' : 'sdk';
  return describe(call, packageName, kind, name);
}

function describe(call: ts.CallExpression, packageName: string, kind: 'http' | 'sdk', name: string): ExternalCall {
  const httpMethod = kind === 'http' && httpVerbs.has(name.toLowerCase()) ? name.toUpperCase() : undefined;
  const operation =
    kind === 'http' ? (httpMethod ? operationOfName(httpMethod === 'POST' ? 'create' : httpMethod.toLowerCase()) : 'create') : operationOfName(name);
  return {
    displayName: tsCalleeText(call.expression),
    packageName,
    kind,
    operation,
    mutates: operation !== 'read',
    ...(httpMethod === undefined ? {} : { httpMethod }),
  };
}

/**
 * The package a declaration belongs to: its file under node_modules, or the module it is declared in
 * by `declare module 'name' { … }` (a project's own typings for an SDK, or a bundled ambient module).
 */
function packageOfDeclaration(declaration: ts.Node): string | undefined {
  for (let current: ts.Node | undefined = declaration; current; current = current.parent) {
    if (ts.isModuleDeclaration(current) && ts.isStringLiteral(current.name)) return packageOfSpecifier(current.name.text);
  }
  return packageOfFile(declaration.getSourceFile().fileName);
}

function networkPackageOf(
  declaration: ts.Declaration | undefined,
  callee: ts.Expression,
  checker: ts.TypeChecker,
  options: ExternalCallOptions,
): string | undefined {
  const declared = declaration ? packageOfDeclaration(declaration) : undefined;
  if (declared !== undefined && isNetworkPackage(declared, options)) return declared;
  // Methods inherited from a shared base (AWS SDK v3 `S3Client.send` lives in @smithy/smithy-client): ask the receiver.
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const receiverType = checker.getTypeAtLocation(callee.expression);
  const symbol = receiverType.getSymbol() ?? receiverType.aliasSymbol;
  const receiverDeclaration = symbol?.declarations?.[0];
  const receiver = receiverDeclaration === undefined ? undefined : packageOfDeclaration(receiverDeclaration);
  return receiver !== undefined && isNetworkPackage(receiver, options) ? receiver : undefined;
}

function isGlobalDeclaration(declaration: ts.Declaration, program: ts.Program): boolean {
  const file = declaration.getSourceFile();
  if (program.isSourceFileDefaultLibrary(file)) return true;
  const packageName = packageOfFile(file.fileName);
  return packageName === 'node' || packageName === 'undici-types' || packageName === 'bun-types';
}

export function returnsThenable(signature: ts.Signature, checker: ts.TypeChecker): boolean {
  const returnType = checker.getReturnTypeOfSignature(signature);
  const types = returnType.isUnion() ? returnType.types : [returnType];
  return types.some((type) => type.getProperty('then') !== undefined || checker.getPropertyOfType(checker.getApparentType(type), 'then') !== undefined);
}

function returnsObservable(signature: ts.Signature, checker: ts.TypeChecker): boolean {
  const returnType = checker.getReturnTypeOfSignature(signature);
  return returnType.getProperty('subscribe') !== undefined && returnType.getProperty('pipe') !== undefined;
}

function inLocalNamespace(expression: ts.Expression): boolean {
  let current = skipWrappers(expression);
  while (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current)) {
    const object = skipWrappers(current.expression);
    if (ts.isPropertyAccessExpression(object) && localNamespaces.has(object.name.text)) return true;
    current = object;
  }
  return false;
}
