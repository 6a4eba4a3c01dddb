import rule from '../../src/rules/no-random-idempotency-key.js';
import { createUntypedRuleTester } from '../rule-tester.js';

const freshKey = (key: string, source: string, line: number, column: number) => ({
  messageId: 'freshKey' as const,
  data: { key, source },
  line,
  column,
});

createUntypedRuleTester().run('no-random-idempotency-key', rule, {
  valid: [
    // The key the client sent, from a header or the body.
    `
app.post('/payments', async (req, res) => {
  const idemKey = req.header('Idempotency-Key');
  const accepted = await runtime.accept('payment', { idemKey, orderId: req.body.orderId, amount: req.body.amount });
  res.status(202).json(accepted);
});`,
    // Date.now() and randomUUID() for logging, tracing and the operation's own id are fine.
    `
import { randomUUID } from 'node:crypto';
export async function charge(cmd: ChargeCommand) {
  const startedAt = Date.now();
  const requestId = randomUUID();
  logger.info({ requestId, startedAt, idemKey: cmd.idemKey }, 'charging');
  return runtime.accept('payment', { idemKey: cmd.idemKey, requestedAt: new Date(), traceId: randomUUID() });
}`,
    // A key derived from the request's identity.
    "runtime.accept('refund', { idemKey: `refund-${order.id}-${refund.sequence}`, orderId: order.id });",
    // uuidv5 is derived from its input: the same order gives the same key.
    "import { v5 as uuidv5 } from 'uuid'; const command = { idemKey: uuidv5(order.id, NAMESPACE), orderId: order.id };",
    // A variable reassigned elsewhere is not known to be fresh.
    `
let idemKey = randomUUID();
idemKey = req.header('Idempotency-Key') ?? idemKey;
runtime.accept('payment', { idemKey });`,
  ],
  invalid: [
    {
      code: `
import { randomUUID } from 'node:crypto';
await runtime.accept('payment', { idemKey: randomUUID(), orderId, amount });`,
      errors: [freshKey('idemKey', 'randomUUID()', 3, 44)],
    },
    {
      // Through a local variable, a template literal and a class field.
      code: `
import { v4 as uuid } from 'uuid';
const idemKey = uuid();
const command = { idemKey, orderId };
const retryCommand = { ...command, idemKey: \`order-\${orderId}-\${Date.now()}\` };
class ShipCommand { readonly idemKey = crypto.randomUUID(); }`,
      errors: [
        freshKey('idemKey', 'uuid()', 4, 19),
        freshKey('idemKey', 'Date.now()', 5, 45),
        freshKey('idemKey', 'crypto.randomUUID()', 6, 40),
      ],
    },
    {
      // Assigned after the fact, and under a key name given by option.
      code: `
command.idemKey = String(Math.random());
const options = { idempotencyKey: nanoid() };`,
      options: [{ keyNames: ['idemKey', 'idempotencyKey'] }],
      errors: [freshKey('idemKey', 'Math.random()', 2, 19), freshKey('idempotencyKey', 'nanoid()', 3, 35)],
    },
    {
      // The user's own id generator, named by option.
      code: "runtime.accept('upload', { idemKey: makeRequestId(), path });",
      options: [{ freshValueFunctions: ['makeRequestId'] }],
      errors: [freshKey('idemKey', 'makeRequestId()', 1, 37)],
    },
  ],
});
