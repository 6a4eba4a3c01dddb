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
  localObjectLiteral,
  type FreshValueOptions,
} from '../analysis/fresh-value.js';
import {
  defaultIgnoreResources,
  defaultKeyProperties,
  findKeySlot,
  matchesResource,
  mayCarryProperty,
  memberPath,
  type KeySlot,
} from '../analysis/idempotency-key-slot.js';
import { createRule } from '../util/create-rule.js';

interface RuleOptions extends FreshValueOptions {
  readonly keyProperties: readonly string[];
  readonly checkUpdates: boolean;
  readonly checkAws: boolean;
  readonly hosts: readonly string[];
  readonly headerName: string;
  readonly sdkPackages: readonly string[];
  readonly ignoreResources: readonly string[];
}
type Options = [RuleOptions];
type MessageIds = 'missingKey' | 'freshKey' | 'missingHeader' | 'freshHeader' | 'addKey';
type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

const awsPackages = ['@aws-sdk/*', 'aws-sdk'];
const mutatingHttpMethods = new Set(['POST', 'PUT', 'PATCH']);
/** Moves to a final state end the same when repeated, like deletes (Stripe cancels a subscription with DELETE). */
const finalTransitions = /^(cancel|void|expire)([A-Z_]|$)/;
/** A method named after what is on offer reads it, even over POST (Adyen `PaymentsApi.paymentMethods`). */
const offerListings = /Methods$/;
/** Client options that prefix every request's URL: axios `baseURL`, got and ky `prefixUrl`. */
const baseUrlProperties = ['baseURL', 'prefixUrl'];
/** Enough for a base URL picked per environment (`isProd ? live : sandbox`) without exploding on long concatenations. */
const maxUrlCandidates = 8;
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
      presetOptions: { strict: { checkUpdates: true } },
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
          ignoreResources: {
            type: 'array',
            items: { type: 'string', pattern: '^[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*$' },
            uniqueItems: true,
            description:
              'Resources (`checkout.sessions`) or methods (`accounts.createLoginLink`) whose duplicate has no lasting effect, matched against the end of the call\'s member path.',
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
      ignoreResources: defaultIgnoreResources,
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
        else if (needsKey(node, external, options)) checkSdkCall(context, node, external, options);
      },
    };
  },
});

function needsKey(node: TSESTree.CallExpression, call: ExternalCall, options: RuleOptions): boolean {
  if (!options.checkAws && matchesPackage(call.packageName, awsPackages)) return false;
  // Reads change nothing; deletes are idempotent by nature (Stripe honours keys on POST only).
  if (call.operation === 'read' || call.operation === 'delete') return false;
  const method = call.displayName.split('.').at(-1) ?? '';
  if (finalTransitions.test(method) || offerListings.test(method)) return false;
  // A second session, link or token expires unused: nothing to deduplicate.
  if (matchesResource(memberPath(node.callee), options.ignoreResources)) return false;
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
  const literal = argument && localObjectLiteral(argument, context.sourceCode);
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
    if (mayCarryProperty(type, services.program.getTypeChecker(), slot.propertyName)) return;
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
  const literal = argument && localObjectLiteral(argument, sourceCode);
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
  const host = hostOf(call, options.hosts, context.sourceCode);
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

/**
 * The configured host a request goes to: from its URL (first argument or `url`), which may be built from
 * constants (`${API_URL}/v1/charges`), or, for a relative URL, from the client's `baseURL`/`prefixUrl`
 * (`axios.create({ baseURL })`, `got.extend({ prefixUrl })`) or the request config's `baseURL`.
 */
function hostOf(call: TSESTree.CallExpression, hosts: readonly string[], sourceCode: TSESLint.SourceCode): string | undefined {
  const first = call.arguments[0];
  const config = first && localObjectLiteral(first, sourceCode);
  const urlNode = config ? findProperty(config, 'url')?.value : first;
  const urls = urlNode ? stringCandidates(urlNode, sourceCode, 0) : [];
  const bases = [
    ...(config ? baseUrlsOf(config, sourceCode) : []),
    ...(call.callee.type === AST_NODE_TYPES.MemberExpression ? clientBaseUrls(call.callee.object, sourceCode) : []),
  ];
  const candidates = [...urls, ...bases.flatMap((base) => (urls.length > 0 ? urls.map((url) => joinUrl(base, url)) : [base]))];
  for (const candidate of candidates) {
    const match = /^[a-z]+:\/\/([^/:?#]+)/i.exec(candidate);
    const host = match?.[1] && hosts.find((configured) => match[1] === configured || match[1]!.endsWith(`.${configured}`));
    if (host) return host;
  }
  return undefined;
}

function joinUrl(base: string, url: string): string {
  return /^[a-z]+:\/\//i.test(url) ? url : `${base.replace(/\/$/, '')}/${url.replace(/^\//, '')}`;
}

/**
 * The strings an expression can be, as far as the file shows: literals, templates and `+` over them, local
 * constants, both arms of `a ? b : c`, the fallback of `env ?? 'https://…'`. A part it cannot read becomes `\u0000`,
 * which no host contains.
 */
function stringCandidates(node: TSESTree.Node, sourceCode: TSESLint.SourceCode, hops: number): string[] {
  if (hops > 4) return [];
  switch (node.type) {
    case AST_NODE_TYPES.Literal:
      return typeof node.value === 'string' ? [node.value] : [];
    case AST_NODE_TYPES.TemplateLiteral:
      return node.quasis.reduce<string[]>((texts, quasi, index) => {
        const expression = node.expressions[index];
        const parts = expression ? orUnknown(stringCandidates(expression, sourceCode, hops + 1)) : [''];
        return texts.flatMap((text) => parts.map((part) => `${text}${quasi.value.cooked ?? ''}${part}`)).slice(0, maxUrlCandidates);
      }, ['']);
    case AST_NODE_TYPES.BinaryExpression: {
      if (node.operator !== '+') return [];
      const left = orUnknown(stringCandidates(node.left, sourceCode, hops + 1));
      const right = orUnknown(stringCandidates(node.right, sourceCode, hops + 1));
      return left.flatMap((text) => right.map((part) => text + part)).slice(0, maxUrlCandidates);
    }
    case AST_NODE_TYPES.ConditionalExpression:
      return [...stringCandidates(node.consequent, sourceCode, hops + 1), ...stringCandidates(node.alternate, sourceCode, hops + 1)];
    case AST_NODE_TYPES.LogicalExpression:
      return [...stringCandidates(node.left, sourceCode, hops + 1), ...stringCandidates(node.right, sourceCode, hops + 1)];
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
      return stringCandidates(node.expression, sourceCode, hops + 1);
    case AST_NODE_TYPES.Identifier: {
      const definition = findVariable(sourceCode.getScope(node), node.name)?.defs[0];
      const declarator = definition?.node.type === AST_NODE_TYPES.VariableDeclarator ? definition.node : undefined;
      const isConstant = declarator?.parent.type === AST_NODE_TYPES.VariableDeclaration && declarator.parent.kind === 'const';
      return isConstant && declarator.init ? stringCandidates(declarator.init, sourceCode, hops + 1) : [];
    }
    default:
      return [];
  }
}

function orUnknown(candidates: string[]): string[] {
  return candidates.length > 0 ? candidates : ['\u0000'];
}

function baseUrlsOf(config: TSESTree.ObjectExpression, sourceCode: TSESLint.SourceCode): string[] {
  return baseUrlProperties.flatMap((name) => {
    const property = findProperty(config, name);
    return property ? stringCandidates(property.value, sourceCode, 0) : [];
  });
}

/** The base URLs a client was made with: `const api = axios.create({ baseURL })`, or a class field initialised so. */
function clientBaseUrls(client: TSESTree.Expression, sourceCode: TSESLint.SourceCode): string[] {
  const init = clientInitializer(client, sourceCode);
  const factory = init?.type === AST_NODE_TYPES.AwaitExpression ? init.argument : init;
  if (factory?.type !== AST_NODE_TYPES.CallExpression) return [];
  const config = factory.arguments[0] && localObjectLiteral(factory.arguments[0], sourceCode);
  return config ? baseUrlsOf(config, sourceCode) : [];
}

function clientInitializer(client: TSESTree.Expression, sourceCode: TSESLint.SourceCode): TSESTree.Expression | undefined {
  if (client.type === AST_NODE_TYPES.Identifier) {
    const definition = findVariable(sourceCode.getScope(client), client.name)?.defs[0];
    return definition?.node.type === AST_NODE_TYPES.VariableDeclarator ? (definition.node.init ?? undefined) : undefined;
  }
  if (client.type !== AST_NODE_TYPES.MemberExpression || client.object.type !== AST_NODE_TYPES.ThisExpression) return undefined;
  const name = client.property.type === AST_NODE_TYPES.Identifier ? client.property.name : undefined;
  let classBody: TSESTree.Node | undefined = client.parent;
  while (classBody && classBody.type !== AST_NODE_TYPES.ClassBody) classBody = classBody.parent;
  const field = classBody?.body.find(
    (element): element is TSESTree.PropertyDefinition =>
      element.type === AST_NODE_TYPES.PropertyDefinition && element.key.type === AST_NODE_TYPES.Identifier && element.key.name === name,
  );
  return field?.value ?? undefined;
}

/** The `headers` object literal of the request's options; 'unknown' when headers are built elsewhere. */
function headersOf(call: TSESTree.CallExpression, sourceCode: TSESLint.SourceCode): TSESTree.ObjectExpression | undefined | 'unknown' {
  for (const argument of call.arguments) {
    const object = localObjectLiteral(argument, sourceCode);
    const headers = object && findProperty(object, 'headers');
    if (!headers) continue;
    const value = localObjectLiteral(headers.value, sourceCode);
    if (!value || value.properties.some((property) => property.type === AST_NODE_TYPES.SpreadElement)) return 'unknown';
    return value;
  }
  return undefined;
}
