import rule from '../../src/rules/require-idempotency-key.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

createUntypedRuleTester().run('require-idempotency-key', rule, {
  valid: [
    // Commands that extend the runtime's Command inherit the key.
    `
import { Orchestrator, type Command } from '@safecall/runtime';
export interface ChargeCommand extends Command { readonly orderId: string; readonly amount: number }
export class PaymentOrchestrator extends Orchestrator<ChargeCommand, { txId: string }> {}`,
    // A command that declares the key itself, inline in the orchestrator.
    `
import { Orchestrator } from '@safecall/runtime';
export class PushOrchestrator extends Orchestrator<{ readonly idemKey: string; readonly token: string }, void> {}`,
    // The key taken from the request header, spread in, or built into a const.
    `
export async function charge(req: Request, runtime: Runtime) {
  const idemKey = req.headers.get('Idempotency-Key') ?? '';
  await runtime.accept('payment', { idemKey, orderId: '42', amount: 100 });
  const command = { idemKey, orderId: '43', amount: 5 };
  await runtime.accept('payment', command);
  await runtime.accept('payment', { ...base, orderId: '44' });
}`,
    // accept() on things that are not a safecall runtime.
    `
await invitation.accept('team-42', { userId });
await socket.accept();
peer.accept('offer', { sdp });`,
    // A class named *Command that is not a command.
    'export class MigrateCommand { constructor(private readonly dryRun: boolean) {} }',
    // A command type is judged by what it builds on: an unseen base may declare the key.
    `
import type { TenantCommand } from './tenant';
export interface InviteCommand extends TenantCommand { readonly email: string }`,
  ],
  invalid: [
    {
      // The orchestrator's command type, declared in the file without the key.
      code: `
import { Orchestrator } from '@safecall/runtime';
interface PushPayload { readonly token: string }
export class PushOrchestrator extends Orchestrator<PushPayload, void> {}`,
      errors: [
        {
          messageId: 'commandWithoutKey',
          data: { command: 'PushPayload', key: 'idemKey' },
          line: 3,
          column: 11,
          suggestions: [
            {
              messageId: 'addKey',
              data: { key: 'idemKey' },
              output: `
import { Orchestrator } from '@safecall/runtime';
interface PushPayload {
  readonly idemKey: string; readonly token: string }
export class PushOrchestrator extends Orchestrator<PushPayload, void> {}`,
            },
          ],
        },
      ],
    },
    {
      code: `
import * as safecall from '@safecall/runtime';
export class SmsOrchestrator extends safecall.Orchestrator<{ readonly to: string; readonly body: string }, void> {}`,
      errors: [
        {
          messageId: 'commandWithoutKey',
          data: { command: "SmsOrchestrator's command", key: 'idemKey' },
          line: 3,
          column: 60,
          suggestions: [
            {
              messageId: 'addKey',
              data: { key: 'idemKey' },
              output: `
import * as safecall from '@safecall/runtime';
export class SmsOrchestrator extends safecall.Orchestrator<{ readonly idemKey: string; readonly to: string; readonly body: string }, void> {}`,
            },
          ],
        },
      ],
    },
    {
      // A command object without the key, inline and through a const.
      code: `
export async function charge(orderId: string, runtime: Runtime) {
  await runtime.accept('payment', { orderId, amount: 100 });
  const refund = { paymentId: orderId };
  return this.safecallRuntime.accept('refund', refund, { scope: 'tenant-1' });
}`,
      errors: [
        { messageId: 'acceptWithoutKey', data: { callee: 'runtime.accept', key: 'idemKey' }, line: 3, column: 35 },
        { messageId: 'acceptWithoutKey', data: { callee: 'this.safecallRuntime.accept', key: 'idemKey' }, line: 5, column: 48 },
      ],
    },
    {
      // The key field named by option.
      code: `
runtime.accept('payment', { idemKey: 'k-1', orderId: '1' });`,
      options: [{ keyName: 'requestId' }],
      errors: [{ messageId: 'acceptWithoutKey', data: { callee: 'runtime.accept', key: 'requestId' }, line: 2, column: 27 }],
    },
  ],
});

createTypedRuleTester().run('require-idempotency-key (with type information)', rule, {
  valid: [
    `
import { Runtime, type Command } from '@safecall/runtime';
interface ChargeCommand extends Command { readonly orderId: string }
export async function charge(rt: Runtime, command: ChargeCommand) {
  await rt.accept('payment', command);
}`,
    // Not a safecall runtime, whatever it is called.
    `
class InviteRuntime { accept(team: string, invite: { userId: string }) { return { team, invite }; } }
export const runtime = new InviteRuntime();
runtime.accept('team-42', { userId: 'u-1' });`,
  ],
  invalid: [
    {
      // The receiver is recognised by its type, not its name; the command by its type, not its syntax.
      code: `
import type { Runtime } from '@safecall/runtime';
export async function charge(rt: Runtime, form: { orderId: string }) {
  await rt.accept('payment', form as never);
  await rt.accept('payment', { ...form } as never);
}`,
      errors: [
        { messageId: 'acceptWithoutKey', data: { callee: 'rt.accept', key: 'idemKey' }, line: 4, column: 30 },
        { messageId: 'acceptWithoutKey', data: { callee: 'rt.accept', key: 'idemKey' }, line: 5, column: 30 },
      ],
    },
  ],
});
