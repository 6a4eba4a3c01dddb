import { describe, expect, it } from 'vitest';
import { operationOfName } from '../../src/analysis/external-call.js';

describe('operationOfName', () => {
  it.each([
    ['retrieve', 'read'],
    ['listCharges', 'read'],
    ['create', 'create'],
    ['update', 'update'],
    ['del', 'delete'],
  ] as const)('reads the verb of the SDK method %s as %s', (name, operation) => {
    expect(operationOfName(name)).toBe(operation);
  });

  it.each([
    ['GetObject', 'read'],
    ['ListObjectsV2', 'read'],
    ['HeadObject', 'read'],
    ['DeleteObject', 'delete'],
    ['PutObject', 'update'],
    ['SendEmail', 'create'],
  ] as const)('reads the PascalCase verb of the AWS command %sCommand as %s', (name, operation) => {
    expect(operationOfName(name)).toBe(operation);
  });
});
