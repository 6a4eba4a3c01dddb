import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { keyName } from './model-ast.js';

/** Property names that carry an idempotency key; `*RequestId` matches by suffix, all case-insensitively. */
export const defaultKeyProperties: readonly string[] = [
  'idempotencyKey',
  'idempotency_key',
  'clientToken',
  'clientRequestToken',
  'requestId',
  '*RequestId',
];

/**
 * Provider objects whose duplicate has no lasting effect, as written on the client: short-lived sessions,
 * links and tokens that expire unused. A retry that makes a second one moves no money and sends no message
 * (an unused Checkout Session expires; the customer pays in the one they complete).
 */
export const defaultIgnoreResources: readonly string[] = [
  'checkout.sessions',
  'billingPortal.sessions',
  'accountLinks',
  'accountSessions',
  'customerSessions',
  'ephemeralKeys',
  'tokens',
  'terminal.connectionTokens',
  'accounts.createLoginLink',
];

/**
 * The property names a call is reached through, in source order: `this.stripe.checkout.sessions.create` →
 * `stripe`, `checkout`, `sessions`, `create`. The walk stops at whatever yields the client (a call such as
 * `getStripe()`, `this`, a computed key), so where the client sits does not matter.
 */
export function memberPath(callee: TSESTree.Node): string[] {
  const names: string[] = [];
  let current: TSESTree.Node = callee;
  for (;;) {
    if (current.type === AST_NODE_TYPES.ChainExpression || current.type === AST_NODE_TYPES.TSNonNullExpression) {
      current = current.expression;
      continue;
    }
    if (current.type !== AST_NODE_TYPES.MemberExpression) return names.reverse();
    const name = current.computed ? keyName(current.property) : (current.property as TSESTree.Identifier).name;
    if (name === undefined) return names.reverse();
    names.push(name);
    current = current.object;
  }
}

/**
 * Whether a call's member path is one of the resources: `tokens` matches `stripe.tokens.create`, and an entry
 * that ends with the method (`accounts.createLoginLink`) matches that method only. Whole names are compared
 * from the end, so `checkout.sessions` does not match `billingPortal.sessions.create`.
 */
export function matchesResource(path: readonly string[], resources: readonly string[]): boolean {
  const endsWith = (names: readonly string[], suffix: readonly string[]): boolean =>
    suffix.length <= names.length && suffix.every((name, index) => names[names.length - suffix.length + index] === name);
  const resourcePath = path.slice(0, -1);
  return resources.some((resource) => {
    const suffix = resource.split('.');
    return endsWith(resourcePath, suffix) || (suffix.length > 1 && endsWith(path, suffix));
  });
}

/** Where a signature takes an idempotency key: the parameter's index and the property's name. */
export interface KeySlot {
  readonly parameterIndex: number;
  readonly propertyName: string;
}

export function isKeyProperty(name: string, keyProperties: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return keyProperties.some((pattern) =>
    pattern.startsWith('*') ? lower.endsWith(pattern.slice(1).toLowerCase()) : lower === pattern.toLowerCase(),
  );
}

/**
 * The parameter of a signature whose type has a key property: Stripe's `RequestOptions.idempotencyKey`
 * (the last parameter), Square's `CreatePaymentRequest.idempotencyKey`, PayPal's `paypalRequestId`,
 * Adyen's `IRequest.Options.idempotencyKey`, Mollie's `CreateParameters.idempotencyKey`.
 * Decided from the types, so a method takes a key exactly when its SDK says so.
 */
export function findKeySlot(
  signature: ts.Signature,
  checker: ts.TypeChecker,
  keyProperties: readonly string[],
): KeySlot | undefined {
  for (const [parameterIndex, parameter] of signature.getParameters().entries()) {
    const type = checker.getNonNullableType(checker.getTypeOfSymbol(parameter));
    const members = type.isUnion() ? type.types : [type];
    for (const member of members) {
      const property = checker.getPropertiesOfType(member).find((candidate) => isKeyProperty(candidate.name, keyProperties));
      if (property) return { parameterIndex, propertyName: property.name };
    }
  }
  return undefined;
}

/**
 * Whether a value of this type may carry the key property (a variable passed where the key goes): its type
 * declares it, or the type says nothing (`any`, `unknown`: an untyped `req.body` may hold the client's key).
 */
export function mayCarryProperty(type: ts.Type, checker: ts.TypeChecker, propertyName: string): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  const members = type.isUnion() ? type.types : [type];
  return members.some((member) => checker.getPropertyOfType(member, propertyName) !== undefined);
}
