/**
 * A large generated source file: many complete orchestrators (command, orchestrator, Finalizer, Reaper)
 * with a known violation planted in some, and the reports those violations must produce.
 */

export interface GeneratedFile {
  readonly text: string;
  readonly lineCount: number;
  /** `line ruleId` for every planted violation, in the form `actualReports` uses after the file name. */
  readonly expected: readonly { readonly line: number; readonly ruleId: string }[];
}

const header = `import { Finalizer, Orchestrator, Outcome, Reaper, type Command, type ExecutionContext, type OpId } from '@safecall/runtime';

export interface ChargeGateway {
  charge(orderId: string, amountCents: number, idempotencyKey: string, signal: AbortSignal): Promise<string>;
}

export class DeclinedError extends Error {}
`;

/** Generates at least `minLines` lines; every 10th orchestrator throws, every 25th command has a mutable field. */
export function generateOrchestrators(minLines: number): GeneratedFile {
  const lines = header.split('\n');
  const expected: { line: number; ruleId: string }[] = [];
  const add = (text: string, ruleId?: string): void => {
    lines.push(text);
    if (ruleId) expected.push({ line: lines.length, ruleId });
  };
  for (let i = 0; lines.length < minLines; i++) {
    const name = `Charge${i}`;
    add('');
    add(`export interface ${name}Command extends Command {`);
    add('  readonly orderId: string;');
    if (i % 25 === 7) add('  amountCents: number;', 'safecall/immutable-command');
    else add('  readonly amountCents: number;');
    add('}');
    add('');
    add(`export class ${name}Orchestrator extends Orchestrator<${name}Command, { readonly chargeId: string }> {`);
    add('  constructor(private readonly gateway: ChargeGateway) {');
    add(`    super({ name: 'charge-${i}', maxAttempts: ${3 + (i % 5)} });`);
    add('  }');
    add('');
    add(`  protected async executeInternal(_opId: OpId, cmd: ${name}Command, ctx: ExecutionContext) {`);
    add('    try {');
    add('      const chargeId = await this.gateway.charge(cmd.orderId, cmd.amountCents, ctx.idempotencyKey, ctx.signal);');
    add('      return Outcome.ok({ chargeId });');
    add('    } catch (error) {');
    add(`      if (error instanceof DeclinedError) return Outcome.fail('DECLINED', error.message);`);
    if (i % 10 === 3) add('      throw error;', 'safecall/no-throw-in-execute');
    else add('      return Outcome.retry(String(error));');
    add('    }');
    add('  }');
    add('}');
    add('');
    add(`export class ${name}Finalizer extends Finalizer<${name}Orchestrator> {`);
    add('  finalize(): void {}');
    add('}');
    add('');
    add(`export class ${name}Reaper extends Reaper<${name}Orchestrator> {}`);
  }
  return { text: `${lines.join('\n')}\n`, lineCount: lines.length, expected };
}
