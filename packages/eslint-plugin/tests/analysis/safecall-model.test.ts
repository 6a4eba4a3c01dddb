import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { getSafecallIndex, getSafecallModel, type ClassLike, type SafecallModelOptions } from '../../src/analysis/safecall-model.js';
import { createRule } from '../../src/util/create-rule.js';

const fixtureRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/safecall-model');

function loadFixtureProgram(): ts.Program {
  const configPath = path.join(fixtureRoot, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error(`cannot read ${configPath}`);
  return ts.createProgram({ rootNames: config.fileNames, options: config.options });
}

describe('getSafecallIndex', () => {
  const program = loadFixtureProgram();
  const index = getSafecallIndex(program);
  const names = (entries: readonly { name: string }[]) => entries.map((entry) => entry.name).sort();

  it('finds orchestrators through re-exports and abstract intermediates in other files', () => {
    expect(names(index.orchestrators)).toEqual(['GatewayOrchestrator', 'PaymentOrchestrator', 'RefundOrchestrator']);
    expect(index.orchestrators.find((entry) => entry.name === 'GatewayOrchestrator')?.abstract).toBe(true);
  });

  it('does not count the runtime package’s own base classes', () => {
    expect(index.finalizers.map((entry) => entry.declaration.getSourceFile().fileName)).not.toContain(path.join(fixtureRoot, 'runtime/index.ts'));
  });

  it('pairs a Finalizer and a Reaper with their orchestrator across files, through renamed re-exports and generic intermediates', () => {
    const payment = index.orchestrators.find((entry) => entry.name === 'PaymentOrchestrator');
    const refund = index.orchestrators.find((entry) => entry.name === 'RefundOrchestrator');
    if (!payment || !refund) throw new Error('fixture orchestrators not found');
    const recovery = index.recoveryOf(payment.declaration);
    expect(names(recovery.finalizers)).toEqual(['PaymentFinalizer']);
    expect(names(recovery.reapers)).toEqual(['PaymentReaper']);
    expect(index.recoveryOf(refund.declaration)).toEqual({ finalizers: [], reapers: [] });
  });

  it('records the command types orchestrators are declared with', () => {
    const commandNames = [...index.commandDeclarations].map((declaration) => ts.getNameOfDeclaration(declaration)?.getText()).sort();
    expect(commandNames).toEqual(['ChargeCommand', 'RefundCommand']);
  });

  it('is built once per program', () => {
    expect(getSafecallIndex(program)).toBe(index);
    expect(getSafecallIndex(loadFixtureProgram())).not.toBe(index);
  });

  it('takes the base class names as options', () => {
    const renamed = getSafecallIndex(program, { orchestratorBases: ['Workflow'] });
    expect(renamed.orchestrators).toEqual([]);
  });
});

/** Reports what the model says about each class, each executeInternal and each marked node. */
const probe = createRule<[SafecallModelOptions], 'class' | 'command' | 'inside' | 'notCommand'>({
  name: 'safecall-model-probe',
  meta: {
    type: 'problem',
    docs: { description: 'Report what the safecall model sees.' },
    messages: {
      class: '{{role}} {{abstract}} [{{typeArguments}}] executeInternal={{execute}}',
      command: 'command',
      notCommand: 'not a command',
      inside: 'inside {{name}}.executeInternal',
    },
    schema: [{ type: 'object', additionalProperties: true }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const model = getSafecallModel(context, options);
    const reportClass = (node: ClassLike) => {
      const found = model.classify(node);
      if (!found) return;
      context.report({
        node: node.id ?? node,
        messageId: 'class',
        data: {
          role: found.role,
          abstract: found.abstract ? 'abstract' : 'concrete',
          typeArguments: found.typeArguments.map((argument) => (argument ? context.sourceCode.getText(argument) : '?')).join(', '),
          execute: model.executeInternalOf(node) ? 'yes' : 'no',
        },
      });
    };
    const reportCommand = (node: TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration | TSESTree.ClassDeclaration) =>
      context.report({ node: node.id ?? node, messageId: model.isCommand(node) ? 'command' : 'notCommand' });
    return {
      ClassDeclaration(node) {
        reportClass(node);
        if (/Command$/.test(node.id?.name ?? '')) reportCommand(node);
      },
      ClassExpression: reportClass,
      TSInterfaceDeclaration: reportCommand,
      TSTypeAliasDeclaration: reportCommand,
      'CallExpression[callee.name="probe"]'(node: TSESTree.CallExpression) {
        const found = model.enclosingExecuteInternal(node);
        if (found) context.report({ node, messageId: 'inside', data: { name: found.classNode.id?.name ?? '' } });
      },
    };
  },
});

const untyped = new RuleTester();

const orchestratorMessage = (line: number, column: number, typeArguments: string, execute = 'yes', abstract = 'concrete') => ({
  messageId: 'class' as const,
  line,
  column,
  data: { role: 'orchestrator', abstract, typeArguments, execute },
});

describe('the file model without type information', () => {
  untyped.run('safecall-model', probe, {
    valid: [
      {
        name: 'a class that extends an Orchestrator of another library is not an orchestrator',
        code: `
import { Orchestrator } from 'some-workflow-engine';
class ShippingOrchestrator extends Orchestrator {
  executeInternal() { probe(); return true; }
}`,
      },
      {
        name: 'a method named executeInternal outside an Orchestrator is not one',
        code: `
class Scheduler {
  protected async executeInternal() { probe(); }
}`,
      },
      {
        name: 'a local class named Orchestrator is not the runtime one',
        code: `
class Orchestrator<C, R> {}
class LocalOrchestrator extends Orchestrator<string, void> {}`,
      },
    ],
    invalid: [
      {
        name: 'recognises an aliased import and the executeInternal it defines',
        code: `
import { Orchestrator as Base, Outcome } from '@safecall/runtime';
export class PaymentOrchestrator extends Base<ChargeCommand, { txId: string }> {
  protected async executeInternal() { probe(); return Outcome.ok({ txId: '1' }); }
}`,
        errors: [
          orchestratorMessage(3, 14, 'ChargeCommand, { txId: string }'),
          { messageId: 'inside', line: 4, column: 39, data: { name: 'PaymentOrchestrator' } },
        ],
      },
      {
        name: 'recognises namespace imports, require and subpath runtime modules',
        code: `
import * as sc from '@safecall/runtime';
const { Finalizer: F } = require('@safecall/runtime');
import { Reaper } from '@safecall/runtime/testing';
class A extends sc.Orchestrator<Cmd, void> {}
class B extends F<A> {}
class C extends Reaper<A> {}`,
        errors: [
          orchestratorMessage(5, 7, 'Cmd, void', 'no'),
          { messageId: 'class', line: 6, column: 7, data: { role: 'finalizer', abstract: 'concrete', typeArguments: 'A', execute: 'no' } },
          { messageId: 'class', line: 7, column: 7, data: { role: 'reaper', abstract: 'concrete', typeArguments: 'A', execute: 'no' } },
        ],
      },
      {
        name: 'follows abstract intermediates in the same file and rewrites their type arguments',
        code: `
import { Orchestrator } from '@safecall/runtime';
abstract class GatewayOrchestrator<C extends Command> extends Orchestrator<C, { txId: string }> {}
class PaymentOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  protected executeInternal = async () => { const nested = () => probe(); };
}`,
        errors: [
          orchestratorMessage(3, 16, 'C, { txId: string }', 'no', 'abstract'),
          orchestratorMessage(4, 7, 'ChargeCommand, { txId: string }'),
          { messageId: 'inside', line: 5, column: 66, data: { name: 'PaymentOrchestrator' } },
        ],
      },
      {
        name: 'takes base and module names as options',
        code: `
import { Workflow } from '@acme/durable';
class Shipping extends Workflow<ShipCommand, void> {}`,
        options: [{ runtimeModules: ['@acme/durable'], orchestratorBases: ['Workflow'] }],
        errors: [orchestratorMessage(3, 7, 'ShipCommand, void', 'no')],
      },
      {
        name: 'recognises commands by their Command base or by use as an orchestrator’s first type argument, not by name',
        code: `
import type { Command as Base } from '@safecall/runtime';
import * as sc from '@safecall/runtime';
interface ChargeCommand extends Base { readonly amount: number }
interface PriorityChargeCommand extends ChargeCommand { readonly priority: number }
type RefundCommand = sc.Command & { readonly chargeId: string };
interface ShipRequest { readonly idemKey: string }
class CacheWarmupCommand { run() {} }
class ShippingOrchestrator extends sc.Orchestrator<ShipRequest, void> {}`,
        errors: [
          { messageId: 'command', line: 4, column: 11 },
          { messageId: 'command', line: 5, column: 11 },
          { messageId: 'command', line: 6, column: 6 },
          { messageId: 'command', line: 7, column: 11 },
          { messageId: 'notCommand', line: 8, column: 7 },
          orchestratorMessage(9, 7, 'ShipRequest, void', 'no'),
        ],
      },
    ],
  });
});

const typed = new RuleTester({
  languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixtureRoot } },
});

describe('the file model with type information', () => {
  typed.run('safecall-model', probe, {
    valid: [
      {
        name: 'a class extending an unrelated class from another file is nothing',
        filename: 'app/file.ts',
        code: `
import { RetryCommand } from './refund.orchestrator';
export class Again extends RetryCommand {}`,
      },
    ],
    invalid: [
      {
        name: 'follows an abstract intermediate declared in another file, imported through a project barrel',
        filename: 'app/file.ts',
        code: `
import { GatewayOrchestrator } from './gateway-orchestrator';
import type { ChargeCommand } from './payment.command';
export class CardOrchestrator extends GatewayOrchestrator<ChargeCommand> {
  readonly name = 'card';
  protected async executeInternal() { probe(); }
}`,
        errors: [
          { messageId: 'class', line: 4, column: 14, data: { role: 'orchestrator', abstract: 'concrete', typeArguments: 'ChargeCommand, ?', execute: 'yes' } },
          { messageId: 'inside', line: 6, column: 39, data: { name: 'CardOrchestrator' } },
        ],
      },
      {
        name: 'recognises commands declared in other files by the orchestrators that use them',
        filename: 'app/file.ts',
        code: `
import { BaseFinalizer } from '../safecall';
import type { PaymentOrchestrator } from './payment.orchestrator';
export class Audit extends BaseFinalizer<PaymentOrchestrator> {}
export interface AuditCommand { readonly at: number }`,
        errors: [
          { messageId: 'class', line: 4, column: 14, data: { role: 'finalizer', abstract: 'concrete', typeArguments: 'PaymentOrchestrator', execute: 'no' } },
          { messageId: 'notCommand', line: 5, column: 18 },
        ],
      },
    ],
  });
});
