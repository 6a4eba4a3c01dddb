import ts from 'typescript';

/** Property names that carry an idempotency key; `*RequestId` matches by suffix, all case-insensitively. */
export const defaultKeyProperties: readonly string[] = [
  'idempotencyKey',
  'idempotency_key',
  'clientToken',
  'clientRequestToken',
  'requestId',
  '*RequestId',
];

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
