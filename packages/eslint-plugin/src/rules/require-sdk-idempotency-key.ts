import { AST_NODE_TYPES, ESLintUtils, type ParserServicesWithTypeInformation, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';
import {
  classifyExternalCall,
  defaultExternalCallOptions,
  findProperty,
  matchesPackage,
  type ExternalCall,
  type ExternalCallOptions,
} from '../analysis/external-call.js';
import {
  defaultFreshValueOptions,
  findFreshValue,
  findVariable,
  freshValueOptionsSchema,
  type FreshValueOptions,
} from '../analysis/fresh-value.js';
import { defaultKeyProperties, findKeySlot, typeHasProperty, type KeySlot } from '../analysis/idempotency-key-slot.js';
import { createRule } from '../util/create-rule.js';

interface RuleOptions extends FreshValueOptions {
  readonly keyProperties: readonly string[];
  readonly checkUpdates: boolean;
  readonly checkAws: boolean;
  readonly hosts: readonly string[];
  readonly headerName: string;
  readonly sdkPackages: readonly string[];
}
type Options = [RuleOptions];
type MessageIds = 'missingKey' | 'freshKey' | 'missingHeader' | 'freshHeader' | 'addKey';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

const awsPackages = ['@aws-sdk/*', 'aws-sdk'];
const mutatingHttpMethods = new Set(['POST', 'PUT', 'PATCH']);
/** What the suggestion puts where the key goes: a name the author must bind to a key derived from the operation. */
const placeholder = 'idempotencyKey';

export default createRule<Options, MessageIds>({
  name: 'require-sdk-idempotency-key',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require an idempotency key derived from the operation on mutating provider SDK calls',
      recommended: 'recommended-type-checked',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    messages: {
      missingKey:
        "'{{callee}}' changes state at {{packageName}} but sends no idempotency key (`{{property}}`): when it times out or the process crashes and the operation is retried, the provider does it twice (a second charge, a second message). Pass a key derived from the operation: the order id, the request's Idempotency-Key header, or `ctx.idempotencyKey`.",
      freshKey:
        "'{{callee}}' gets an idempotency key made fresh per call (`{{source}}`): it protects one HTTP retry, not a retry of the operation after a timeout or a crash, which gets a new key and is done twice. Derive the key from the operation: the order id, the request's Idempotency-Key header, or `ctx.idempotencyKey`.",
      missingHeader:
        "'{{callee}}' sends a {{method}} to {{host}} without an `{{header}}` header: a retry after a timeout does it twice. Send a key derived from the operation in the `{{header}}` header.",
      freshHeader:
        "'{{callee}}' sends an `{{header}}` made fresh per call (`{{source}}`): a retry of the operation gets a new key and is done twice. Derive the key from the operation.",
      addKey: 'Pass `{{property}}` with a key derived from the operation (replace the `idempotencyKey` placeholder).',
    },
    schema: [
      {
        type: 'object',
        properties: {
          keyProperties: {
            type: 'array',
            items: { type: 'string' },
            description: 'Property names that carry an idempotency key; `*Suffix` matches by suffix.',
          },
          checkUpdates: { type: 'boolean', description: 'Also require keys on update calls.' },
          checkAws: { type: 'boolean', description: 'Also check AWS SDK calls (which fill a random client token themselves).' },
          hosts: {
            type: 'array',
            items: { type: 'string' },
            description: 'Hosts whose POST/PUT/PATCH requests need an idempotency key header.',
          },
          headerName: { type: 'string', description: 'The header that carries the key for those hosts.' },
          sdkPackages: {
            type: 'array',
            items: { type: 'string' },
            description: 'Provider SDK packages to check; `@scope/*` covers a scope.',
          },
          ...freshValueOptionsSchema,
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [
    {
      keyProperties: defaultKeyProperties,
      checkUpdates: false,
      checkAws: false,
      hosts: [],
      headerName: 'Idempotency-Key',
      sdkPackages: defaultExternalCallOptions.sdkPackages,
      ...defaultFreshValueOptions,
    },
  ],
  create(context, [options]) {
    const externalOptions: ExternalCallOptions = { ...defaultExternalCallOptions, sdkPackages: options.sdkPackages };
    return {
      CallExpression(node) {
        // Provider calls are methods on a client; HTTP requests are checked only when hosts are configured.
        if (node.callee.type !== AST_NODE_TYPES.MemberExpression && options.hosts.length === 0) return;
        const external = classifyExternalCall(node, context, externalOptions);
        if (!external) return;
        if (external.kind === 'http') checkHttpRequest(context, node, external, options);
        else if (needsKey(external, options)) checkSdkCall(context, node, external, options);
      },
    };
  },
});

function needsKey(call: ExternalCall, options: RuleOptions): boolean {
  if (!options.checkAws && matchesPackage(call.packageName, awsPackages)) return false;
  // Reads change nothing; deletes are idempotent by nature (Stripe honours keys on POST only).
  if (call.operation === 'read' || call.operation === 'delete') return false;
  return call.operation !== 'update' || options.checkUpdates;
}

/** Where the key goes in this call, from the types: the call's own signature, or an AWS-style `new XCommand(input)` argument. */
function keySiteOf(
  call: TSESTree.CallExpression,
  services: ParserServicesWithTypeInformation,
  options: RuleOptions,
): { site: TSESTree.CallExpression | TSESTree.NewExpression; slot: KeySlot } | undefined {
  const checker = services.program.getTypeChecker();
  const signatureOf = (site: TSESTree.CallExpression | TSESTree.NewExpression): ts.Signature | undefined =>
    checker.getResolvedSignature(services.esTreeNodeToTSNodeMap.get(site));
  const own = signatureOf(call);
  const slot = own && findKeySlot(own, checker, options.keyProperties);
  if (slot) return { site: call, slot };
  for (const argument of call.arguments) {
    if (argument.type !== AST_NODE_TYPES.NewExpression) continue;
    const signature = signatureOf(argument);
    const commandSlot = signature && findKeySlot(signature, checker, options.keyProperties);
    if (commandSlot) return { site: argument, slot: commandSlot };
  }
  return undefined;
}

function checkSdkCall(context: Context, call: TSESTree.CallExpression, external: ExternalCall, options: RuleOptions): void {
  const services = ESLintUtils.getParserServices(context, true);
  if (!services.program) return;
  const keySite = keySiteOf(call, services as ParserServicesWithTypeInformation, options);
  if (!keySite) return;
  const { site, slot } = keySite;
  const data = { callee: external.displayName, packageName: external.packageName, property: slot.propertyName };
  const argument = site.arguments[slot.parameterIndex];
  const literal = argument && objectLiteralOf(argument, context.sourceCode);
  if (literal) {
    const property = findProperty(literal, slot.propertyName);
    if (property) {
      const fresh = findFreshValue(property.value, context.sourceCode, options);
      if (fresh) context.report({ node: property, messageId: 'freshKey', data: { ...data, source: fresh.source } });
      return;
    }
    // A spread may carry the key; without seeing it, stay quiet.
    if (literal.properties.some((candidate) => candidate.type === AST_NODE_TYPES.SpreadElement)) return;
  } else if (argument) {
    const type = services.getTypeAtLocation(argument);
    if (typeHasProperty(type, services.program.getTypeChecker(), slot.propertyName)) return;
  }
  context.report({
    node: call,
    messageId: 'missingKey',
    data,
    suggest: [
      {
        messageId: 'addKey',
        data,
        fix: (fixer) => addKeyFix(fixer, site, slot, argument, context.sourceCode),
      },
    ],
  });
}

/** The object literal an argument is, directly or through a local `const`. */
function objectLiteralOf(argument: TSESTree.Node, sourceCode: TSESLint.SourceCode): TSESTree.ObjectExpression | undefined {
  if (
    argument.type === AST_NODE_TYPES.TSAsExpression ||
    argument.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    argument.type === AST_NODE_TYPES.TSNonNullExpression
  ) {
    return objectLiteralOf(argument.expression, sourceCode);
  }
  if (argument.type === AST_NODE_TYPES.ObjectExpression) return argument;
  if (argument.type !== AST_NODE_TYPES.Identifier) return undefined;
  const definition = findVariable(sourceCode.getScope(argument), argument.name)?.defs[0];
  const init = definition?.node.type === AST_NODE_TYPES.VariableDeclarator ? definition.node.init : undefined;
  return init?.type === AST_NODE_TYPES.ObjectExpression ? init : undefined;
}

function keyEntry(propertyName: string): string {
  return propertyName === placeholder ? placeholder : `${propertyName}: ${placeholder}`;
}

function addKeyFix(
  fixer: TSESLint.RuleFixer,
  site: TSESTree.CallExpression | TSESTree.NewExpression,
  slot: KeySlot,
  argument: TSESTree.Node | undefined,
  sourceCode: TSESLint.SourceCode,
): TSESLint.RuleFix {
  const entry = keyEntry(slot.propertyName);
  const literal = argument && objectLiteralOf(argument, sourceCode);
  if (literal && (argument === literal || argument?.type !== AST_NODE_TYPES.Identifier)) {
    const first = literal.properties[0];
    return first ? fixer.insertTextBefore(first, `${entry}, `) : fixer.replaceText(literal, `{ ${entry} }`);
  }
  if (argument) return fixer.replaceText(argument, `{ ...${sourceCode.getText(argument)}, ${entry} }`);
  // Missing arguments before the key's parameter are passed as undefined: `capture(id, undefined, { idempotencyKey })`.
  const fillers = Array.from({ length: slot.parameterIndex - site.arguments.length }, () => 'undefined');
  const added = [...fillers, `{ ${entry} }`].join(', ');
  const last = site.arguments.at(-1);
  if (last) return fixer.insertTextAfter(last, `, ${added}`);
  const closing = sourceCode.getLastToken(site);
  return fixer.insertTextBefore(closing!, added);
}

/** `fetch(url, { method: 'POST', headers })` / `axios.post(url, body, { headers })` to a configured host. */
function checkHttpRequest(context: Context, call: TSESTree.CallExpression, external: ExternalCall, options: RuleOptions): void {
  if (options.hosts.length === 0 || !external.httpMethod || !mutatingHttpMethods.has(external.httpMethod)) return;
  const host = hostOf(call, options.hosts);
  if (!host) return;
  const headers = headersOf(call, context.sourceCode);
  if (headers === 'unknown') return;
  const data = { callee: external.displayName, method: external.httpMethod, host, header: options.headerName };
  const header = headers && findProperty(headers, options.headerName);
  if (!header) {
    context.report({ node: call, messageId: 'missingHeader', data });
    return;
  }
  const fresh = findFreshValue(header.value, context.sourceCode, options);
  if (fresh) context.report({ node: header, messageId: 'freshHeader', data: { ...data, source: fresh.source } });
}

/** The configured host a request goes to, read from a literal or template URL (first argument or `url`). */
function hostOf(call: TSESTree.CallExpression, hosts: readonly string[]): string | undefined {
  const first = call.arguments[0];
  const urlNode = first?.type === AST_NODE_TYPES.ObjectExpression ? findProperty(first, 'url')?.value : first;
  const text =
    urlNode?.type === AST_NODE_TYPES.Literal && typeof urlNode.value === 'string'
      ? urlNode.value
      : urlNode?.type === AST_NODE_TYPES.TemplateLiteral
        ? urlNode.quasis.map((quasi) => quasi.value.cooked).join('')
        : undefined;
  if (text === undefined) return undefined;
  const match = /^[a-z]+:\/\/([^/:?#]+)/i.exec(text);
  return match?.[1] && hosts.find((host) => match[1] === host || match[1]!.endsWith(`.${host}`));
}

/** The `headers` object literal of the request's options; 'unknown' when headers are built elsewhere. */
function headersOf(call: TSESTree.CallExpression, sourceCode: TSESLint.SourceCode): TSESTree.ObjectExpression | undefined | 'unknown' {
  for (const argument of call.arguments) {
    const object = objectLiteralOf(argument, sourceCode);
    const headers = object && findProperty(object, 'headers');
    if (!headers) continue;
    const value = objectLiteralOf(headers.value, sourceCode);
    if (!value || value.properties.some((property) => property.type === AST_NODE_TYPES.SpreadElement)) return 'unknown';
    return value;
  }
  return undefined;
}
