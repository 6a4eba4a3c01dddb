// The one definition of safecall's dependency-cruiser rules. Plain CommonJS, so that dependency-cruiser
// can load the presets straight from the package (source checkout or npm install, no build step), and
// the TypeScript API (src/index.ts) re-exports it with the types from architecture-rules.d.cts.
'use strict';

const sourceExtension = '\\.[cm]?[jt]sx?$';

/** Which file belongs to which layer of the pattern: regular expressions on paths relative to the base dir. */
const defaultLayers = Object.freeze({
  command: `\\.command${sourceExtension}`,
  orchestrator: `\\.orchestrator${sourceExtension}`,
  finalizer: `\\.finalizer${sourceExtension}`,
  reaper: `\\.reaper${sourceExtension}`,
  gateway: `\\.gateway${sourceExtension}`,
  controller: `\\.controller${sourceExtension}`,
  // The Reaper's reconcile port: the one way a Reaper may reach a gateway (to ask the provider what happened).
  reconcile: `\\.reconcile${sourceExtension}`,
  // Tests may build SDK fakes and wire gateways by hand.
  test: `(\\.(test|spec)${sourceExtension})|((^|/)(__tests__|__mocks__)/)`,
  // Where the application is wired together: constructs gateways and hands them to orchestrators.
  compositionRoot: `((^|/)(main|index|app|server|bootstrap|container|composition-root)${sourceExtension})|(\\.module${sourceExtension})`,
});

/** Provider SDKs: only gateway modules talk to them. `*` stands for one path segment (`@aws-sdk/*`). */
const defaultSdkPackages = Object.freeze([
  'stripe',
  '@stripe/*',
  '@adyen/api-library',
  'square',
  '@paypal/*',
  '@mollie/api-client',
  'braintree',
  'twilio',
  '@sendgrid/*',
  'nodemailer',
  'mailgun.js',
  'postmark',
  '@vonage/*',
  '@aws-sdk/*',
  'aws-sdk',
  'firebase-admin',
  '@google-cloud/*',
  '@azure/*',
  'shippo',
  '@easypost/api',
]);

/** Libraries that open database transactions; an orchestrator's external call must stay outside one. */
const defaultTransactionLibraries = Object.freeze([
  'typeorm',
  'typeorm-transactional',
  '@nestjs/typeorm',
  '@nestjs-cls/transactional',
  '@nestjs-cls/transactional-adapter-*',
  '@prisma/client',
  'knex',
  'sequelize',
  'sequelize-typescript',
  'drizzle-orm',
  'kysely',
  '@mikro-orm/*',
  'mongoose',
  'pg',
  'mysql2',
  'better-sqlite3',
]);

/** Modules that do I/O (network, files, processes) besides SDKs and databases: a command must stay plain data. */
const defaultIoModules = Object.freeze([
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:http2',
  'node:tls',
  'node:dgram',
  'node:dns',
  'node:child_process',
  'node:worker_threads',
  'axios',
  'got',
  'ky',
  'node-fetch',
  'undici',
  'superagent',
]);

/** The package whose internals nobody imports; only the subpaths its package.json "exports" offers are public. */
const defaultRuntimePackage = '@safecall/runtime';

function escapeRegExp(text) {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One regular expression that matches a dependency on any of the named packages, whether
 * dependency-cruiser resolved it into node_modules or left the bare name (unresolvable, or a core module).
 * `node:fs` also matches the bare `fs`.
 */
function packagePattern(names) {
  const alternatives = names.map((name) =>
    escapeRegExp(name.replace(/^node:/, '')).replace(/\*/g, '[^/]+'),
  );
  return `(^|node_modules/)(node:)?(${alternatives.join('|')})(/|$)`;
}

function requireList(value, optionName, fallback) {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError(`createArchitectureRules: "${optionName}" must be an array of package names, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The default layers with the given overrides; throws on an unknown layer or a pattern that is no regular expression. */
function resolveLayers(layers) {
  if (layers === undefined) return defaultLayers;
  const unknown = Object.keys(layers).filter((layer) => !(layer in defaultLayers));
  if (unknown.length > 0) {
    throw new TypeError(
      `unknown layer "${unknown[0]}" in "layers"; known layers are ${Object.keys(defaultLayers).join(', ')}`,
    );
  }
  for (const [layer, pattern] of Object.entries(layers)) {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw new TypeError(`layers.${layer} is not a regular expression: ${JSON.stringify(pattern)}`, { cause: error });
    }
  }
  return { ...defaultLayers, ...layers };
}

/**
 * The safecall architecture as a dependency-cruiser configuration: `forbidden` rules plus the cruise
 * `options` they need (TypeScript type-only imports visible, package "exports" honoured like Node does).
 *
 * Types: architecture-rules.d.cts.
 */
function createArchitectureRules(options = {}) {
  const layers = resolveLayers(options.layers);
  const severity = options.severity ?? 'error';
  const sdk = packagePattern(requireList(options.sdkPackages, 'sdkPackages', defaultSdkPackages));
  const transactionLibraries = packagePattern(
    requireList(options.transactionLibraries, 'transactionLibraries', defaultTransactionLibraries),
  );
  const io = packagePattern(requireList(options.ioModules, 'ioModules', defaultIoModules));
  const runtimePackage = options.runtimePackage ?? defaultRuntimePackage;
  // Type-only imports do nothing at run time; the layer rules are about what code runs where.
  const atRunTime = ['type-only'];

  return {
    forbidden: [
      {
        name: 'no-circular',
        severity,
        comment:
          'This module is part of a dependency cycle. Cycles make initialisation order fragile (a class can be ' +
          'undefined when a module in the cycle first runs) and tie the layers together. Break the cycle: move ' +
          'the shared piece into its own module, or depend on an interface instead of the implementation.',
        from: {},
        to: { circular: true, viaOnly: { dependencyTypesNot: atRunTime } },
      },
      {
        name: 'sdk-only-in-gateway',
        severity,
        comment:
          'A provider SDK is imported outside a gateway module (*.gateway.ts). Only gateways talk to external ' +
          'APIs, so every external call goes through an orchestrator that carries the idempotency key, retries ' +
          "with backoff and records the outcome in the WAL. Move the SDK call into a gateway and call the gateway's " +
          'port from the orchestrator.',
        from: { pathNot: [layers.gateway, layers.test] },
        to: { path: sdk },
      },
      {
        name: 'no-transaction-library-in-orchestrator',
        severity,
        comment:
          'An orchestrator imports a database/transaction library. executeInternal must run outside any ' +
          'transaction: a slow external call inside one holds locks and connections for seconds, and a rollback ' +
          'cannot undo the call. Write domain state in the Finalizer (it runs inside the finalize transaction) and ' +
          'keep the orchestrator to the external call.',
        from: { path: layers.orchestrator },
        to: { path: transactionLibraries, dependencyTypesNot: atRunTime },
      },
      {
        name: 'controller-gateway-via-orchestrator',
        severity,
        comment:
          "A controller imports a gateway directly. A controller accepts the request (runtime.accept with the client's " +
          'idempotency key) and the orchestrator makes the external call; calling the gateway from the controller ' +
          'skips the idempotency key, the retries and crash recovery. Accept a command and let its orchestrator ' +
          'call the gateway.',
        from: { path: layers.controller },
        to: { path: layers.gateway, dependencyTypesNot: atRunTime },
      },
      {
        name: 'gateway-only-in-orchestrator',
        severity,
        comment:
          'A module other than an orchestrator imports a gateway. External calls belong in an orchestrator\'s ' +
          'executeInternal, where the runtime gives them an idempotency key, retries and crash recovery; a service ' +
          'or handler that calls a gateway is also how a controller reaches one without an orchestrator. Move the ' +
          'call into an orchestrator (and accept a command for it), or wire the gateway in the composition root.',
        from: {
          pathNot: [
            layers.orchestrator,
            layers.gateway,
            layers.reconcile,
            layers.compositionRoot,
            layers.test,
            // These layers have rules of their own with a more precise message.
            layers.controller,
            layers.finalizer,
            layers.reaper,
            layers.command,
          ],
        },
        to: { path: layers.gateway, dependencyTypesNot: atRunTime },
      },
      {
        name: 'no-io-in-command',
        severity,
        comment:
          'A command imports an I/O module (network, files, processes, an SDK, a database or a gateway). A command ' +
          'is an immutable record of what was asked, stored with the operation and replayed on retry; it must stay ' +
          'plain data. Do the I/O in the orchestrator (external calls) or the Finalizer (database writes).',
        from: { path: layers.command },
        to: { path: [io, sdk, transactionLibraries, layers.gateway], dependencyTypesNot: atRunTime },
      },
      {
        name: 'no-gateway-in-finalizer',
        severity,
        comment:
          'A Finalizer imports a gateway. The Finalizer runs inside the finalize transaction; an external call there ' +
          'holds the transaction open for a network round trip and cannot be rolled back. Make the call in the ' +
          "orchestrator's executeInternal and pass what the Finalizer needs in the outcome.",
        from: { path: layers.finalizer },
        to: { path: [layers.gateway, layers.reconcile], dependencyTypesNot: atRunTime },
      },
      {
        name: 'no-gateway-in-reaper',
        severity,
        comment:
          'A Reaper imports a gateway directly. A Reaper decides on stuck operations; the only external question ' +
          'it may ask is "what happened to this key?", through its reconcile port (*.reconcile.ts). Import the ' +
          'reconcile port instead of the gateway.',
        from: { path: layers.reaper },
        to: { path: layers.gateway, dependencyTypesNot: atRunTime },
      },
      {
        name: 'no-runtime-internals',
        severity,
        comment:
          `An import reaches into ${runtimePackage}'s internals (a path its package.json "exports" does not offer). ` +
          'Internals change without notice and bypass the invariants the public API keeps. Import from ' +
          `'${runtimePackage}' (or a documented subpath such as '${runtimePackage}/testing').`,
        from: {},
        to: { path: `^${escapeRegExp(runtimePackage)}/`, couldNotResolve: true },
      },
    ],
    options: {
      doNotFollow: {
        path: ['node_modules'],
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg'],
      },
      // See `import type` so that type-only imports can be told apart from imports that run.
      tsPreCompilationDeps: true,
      // Resolve packages the way Node does, so a subpath a package does not export is unresolvable.
      enhancedResolveOptions: {
        exportsFields: ['exports'],
        conditionNames: ['import', 'require', 'node', 'default', 'types'],
        mainFields: ['module', 'main', 'types', 'typings'],
      },
    },
  };
}

module.exports = {
  createArchitectureRules,
  resolveLayers,
  defaultLayers,
  defaultSdkPackages,
  defaultTransactionLibraries,
  defaultIoModules,
  defaultRuntimePackage,
};
