import rule from '../../src/rules/immutable-command.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const imports = "import type { Command } from '@safecall/runtime';";

createUntypedRuleTester().run('immutable-command', rule, {
  valid: [
    // The command as DESIGN.md writes it.
    `${imports}
export interface ChargeCommand extends Command {
  readonly orderId: string;
  readonly amount: number;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly metadata: ReadonlyMap<string, string>;
  readonly tags: ReadonlyArray<string>;
  withAmount(amount: number): ChargeCommand;
}`,
    // A class named *Command that has nothing to do with safecall: a CLI command with mutable state.
    `
export class DeployCommand {
  args: string[] = [];
  verbose = false;
  set target(value: string) { this.args.push(value); }
}`,
    // A DTO that is not a command, even next to one.
    `${imports}
export interface ChargeCommand extends Command { readonly amount: number }
export interface ChargeForm { amount: number; cards: string[] }`,
    // Readonly<...> marks every field; its collections are already read-only.
    `${imports}
export type RefundCommand = Command & Readonly<{ paymentId: string; lines: ReadonlyArray<string> }>;`,
    // A class command built once, with readonly fields and parameter properties.
    `
import { type Command } from '@safecall/runtime';
export class UploadCommand implements Command {
  static readonly maxBytes = 10_000_000;
  readonly createdBy: string;
  constructor(readonly idemKey: string, private readonly path: string) {
    this.createdBy = 'api';
  }
  get extension(): string { return this.path.split('.').pop() ?? ''; }
}`,
    // A user's own base interface, named by option.
    {
      code: `
import type { Request } from '@acme/jobs';
export interface SendEmail extends Request { to: string }`,
      options: [{ commandBases: ['Command'], runtimeModules: ['@safecall/runtime'] }],
    },
  ],
  invalid: [
    {
      code: `${imports}
export interface ChargeCommand extends Command {
  orderId: string;
  readonly amount: number;
}`,
      output: `${imports}
export interface ChargeCommand extends Command {
  readonly orderId: string;
  readonly amount: number;
}`,
      errors: [{ messageId: 'mutableField', data: { name: 'orderId', command: 'ChargeCommand' }, line: 3, column: 3 }],
    },
    {
      // Aliased and namespace imports of the runtime, mutable arrays, maps and nested objects.
      code: `
import * as sc from '@safecall/runtime';
export interface ShipCommand extends sc.Command {
  readonly parcels: { weight: number }[];
  readonly labels: Map<string, string>;
  readonly codes: Array<string>;
}`,
      // The nested field's fix overlaps the array's, so it lands in a second pass.
      output: [
        `
import * as sc from '@safecall/runtime';
export interface ShipCommand extends sc.Command {
  readonly parcels: readonly { weight: number }[];
  readonly labels: ReadonlyMap<string, string>;
  readonly codes: ReadonlyArray<string>;
}`,
        `
import * as sc from '@safecall/runtime';
export interface ShipCommand extends sc.Command {
  readonly parcels: readonly { readonly weight: number }[];
  readonly labels: ReadonlyMap<string, string>;
  readonly codes: ReadonlyArray<string>;
}`,
      ],
      errors: [
        { messageId: 'mutableCollection', data: { name: 'parcels', command: 'ShipCommand', collection: 'array', replacement: 'readonly { weight: number }[]' }, line: 4, column: 21 },
        { messageId: 'mutableField', data: { name: 'weight', command: 'ShipCommand' }, line: 4, column: 23 },
        { messageId: 'mutableCollection', data: { name: 'labels', command: 'ShipCommand', collection: 'Map', replacement: 'ReadonlyMap<string, string>' }, line: 5, column: 20 },
        { messageId: 'mutableCollection', data: { name: 'codes', command: 'ShipCommand', collection: 'Array', replacement: 'ReadonlyArray<string>' }, line: 6, column: 19 },
      ],
    },
    {
      // An interface extending another command interface from the same file.
      code: `
import { Command as Cmd } from '@safecall/runtime';
interface TenantCommand extends Cmd { readonly tenantId: string }
export interface InviteCommand extends TenantCommand { email: string; [key: string]: unknown }`,
      output: `
import { Command as Cmd } from '@safecall/runtime';
interface TenantCommand extends Cmd { readonly tenantId: string }
export interface InviteCommand extends TenantCommand { readonly email: string; readonly [key: string]: unknown }`,
      errors: [
        { messageId: 'mutableField', data: { name: 'email', command: 'InviteCommand' }, line: 4, column: 56 },
        { messageId: 'mutableField', data: { name: '[key: string]', command: 'InviteCommand' }, line: 4, column: 71 },
      ],
    },
    {
      // A type alias command, and the command an orchestrator in the file is declared with.
      code: `
import { Orchestrator, type Command } from '@safecall/runtime';
export type NotifyCommand = Command & { channel: 'sms' | 'email'; recipients: string[][] };
type PushPayload = { token: string };
export class PushOrchestrator extends Orchestrator<PushPayload, void> {}`,
      output: [
        `
import { Orchestrator, type Command } from '@safecall/runtime';
export type NotifyCommand = Command & { readonly channel: 'sms' | 'email'; readonly recipients: (readonly string[])[] };
type PushPayload = { readonly token: string };
export class PushOrchestrator extends Orchestrator<PushPayload, void> {}`,
        `
import { Orchestrator, type Command } from '@safecall/runtime';
export type NotifyCommand = Command & { readonly channel: 'sms' | 'email'; readonly recipients: readonly (readonly string[])[] };
type PushPayload = { readonly token: string };
export class PushOrchestrator extends Orchestrator<PushPayload, void> {}`,
      ],
      errors: [
        { messageId: 'mutableField', data: { name: 'channel', command: 'NotifyCommand' }, line: 3, column: 41 },
        { messageId: 'mutableField', data: { name: 'recipients', command: 'NotifyCommand' }, line: 3, column: 67 },
        { messageId: 'mutableCollection', data: { name: 'recipients', command: 'NotifyCommand', collection: 'array', replacement: 'readonly string[][]' }, line: 3, column: 79 },
        { messageId: 'mutableCollection', data: { name: 'recipients', command: 'NotifyCommand', collection: 'array', replacement: 'readonly string[]' }, line: 3, column: 79 },
        { messageId: 'mutableField', data: { name: 'token', command: 'PushPayload' }, line: 4, column: 22 },
      ],
    },
    {
      // A class command: fields, parameter properties and setters.
      code: `
import { type Command } from '@safecall/runtime';
export class UploadCommand implements Command {
  public bucket: string;
  #size = 0;
  constructor(public idemKey: string, bucket: string) { this.bucket = bucket; }
  set size(value: number) { this.#size = value; }
}`,
      output: `
import { type Command } from '@safecall/runtime';
export class UploadCommand implements Command {
  public readonly bucket: string;
  readonly #size = 0;
  constructor(public readonly idemKey: string, bucket: string) { this.bucket = bucket; }
  set size(value: number) { this.#size = value; }
}`,
      errors: [
        { messageId: 'mutableField', data: { name: 'bucket', command: 'UploadCommand' }, line: 4, column: 3 },
        { messageId: 'mutableField', data: { name: '#size', command: 'UploadCommand' }, line: 5, column: 3 },
        { messageId: 'mutableField', data: { name: 'idemKey', command: 'UploadCommand' }, line: 6, column: 15 },
        { messageId: 'setter', data: { name: 'size', command: 'UploadCommand' }, line: 7, column: 3 },
      ],
    },
    {
      code: `${imports}
export interface RenameCommand extends Command { readonly name: string; set label(value: string) }`,
      errors: [{ messageId: 'setter', data: { name: 'label', command: 'RenameCommand' }, line: 2, column: 73 }],
    },
  ],
});

createTypedRuleTester().run('immutable-command (with type information)', rule, {
  valid: [
    // Without a Command base and not used by an orchestrator in the program: a plain DTO.
    'export interface ChargeForm { amount: number }',
  ],
  invalid: [
    {
      // The command extends the runtime's Command through an interface declared in another file.
      code: `
import type { TenantCommand } from './immutable-command/tenant-command';
export interface InviteCommand extends TenantCommand { email: string }`,
      output: `
import type { TenantCommand } from './immutable-command/tenant-command';
export interface InviteCommand extends TenantCommand { readonly email: string }`,
      errors: [{ messageId: 'mutableField', data: { name: 'email', command: 'InviteCommand' }, line: 3, column: 56 }],
    },
  ],
});
