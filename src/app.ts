import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { capConnectionsPerClient, httpServerOptions } from './app/http-server.js';
import { registerInputGuard } from './app/input-guard.js';
import { loggerOptions } from './app/logger.js';
import { openapiOptions } from './app/openapi.js';
import type { ResolvedConfig, Services } from './app/services.js';
import { consolePlugin } from './console/routes.js';
import type { Db } from './db/connect.js';
import { demoPlugin } from './demo/routes.js';
import { frameworkErrors, registerErrorMapper } from './errors/mapper.js';
import { federationPlugin } from './federation/callback-routes.js';
import { graphPlugin } from './graph/plugin.js';
import { healthPlugin } from './health/routes.js';
import { blockRoutes } from './invitations/block-routes.js';
import { mailPlugin } from './mail/routes.js';
import { createMetrics } from './metrics/registry.js';
import { metricsPlugin } from './metrics/routes.js';
import { myAppsPlugin } from './myapps/routes.js';
import { OidcProviders, oidcPlugin, serveTokenEndpointDirectly } from './oidc/index.js';
import { interactionsPlugin } from './oidc/interactions/routes.js';
import { deriveKey } from './oidc/key-encryption.js';
import { type Clock, systemClock } from './platform/clock.js';
import { type Ids, randomIds } from './platform/ids.js';
import { portalAuthPlugin } from './portal/routes.js';
import { redemptionPlugin } from './redemption/routes.js';
import { signupPlugin } from './signin/signup-routes.js';
import { instancePlugin } from './tenants/instance-routes.js';
import { webAssetsPlugin } from './web/assets.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface AppDeps {
  config: ResolvedConfig;
  database: Db;
  clock?: Clock;
  ids?: Ids;
  /** Pass false to silence logs (tests). */
  logger?: boolean;
  /** Where log lines go instead of stdout (tests that read the logs). */
  logStream?: { write(line: string): void };
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/**
 * Every route's contract is a zod schema, so the zod compilers are Fastify's from the start: it then never
 * loads or initialises its default Ajv and fast-json-stringify compilers (~8 ms of every start). Fastify types
 * the factories after Ajv's; the zod compilers take the same arguments at run time.
 */
const zodCompilers = {
  buildValidator: () => validatorCompiler,
  buildSerializer: () => serializerCompiler,
} as unknown as NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];

/** All wiring, explicit: each concept is a plugin that receives the services it uses. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const services: Services = {
    config,
    db: database.db,
    dialect: database.dialect,
    clock: deps.clock ?? systemClock,
    ids: deps.ids ?? randomIds,
    metrics: createMetrics(database.stats),
  };

  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : { ...loggerOptions(config.logLevel), ...(deps.logStream && { stream: deps.logStream }) },
    // Request ids are ours (never taken from the client); the client's own id is echoed separately.
    genReqId: () => services.ids.uuid(),
    requestIdHeader: false,
    // A hop count becomes proxy-addr's own form of it (Fastify's types do not list the number form).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A path parameter may be a userPrincipalName (up to 256 characters, percent-encoded); longer is a 400.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    frameworkErrors,
    schemaController: { compilersFactory: zodCompilers },
    ...httpServerOptions(config, () => services.ids.uuid()),
  }).withTypeProvider<ZodTypeProvider>();
  if (!config.trustProxy) capConnectionsPerClient(app.server, config.http.maxConnectionsPerClient);

  app.decorate('services', services);
  registerErrorMapper(app);
  // Signed cookies (the demo app's state) use a key derived from FOYER_SECRET for that purpose only.
  await app.register(cookie, { secret: deriveKey(config.secret, 'foyer/cookies/v1').toString('base64url') });

  // Callback-style (not async) hooks on every request: an async hook costs a promise and a tick per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('request-id', request.id);
    const clientRequestId = request.headers['client-request-id'];
    if (typeof clientRequestId === 'string') reply.header('client-request-id', clientRequestId);
    done();
  });
  registerInputGuard(app);

  await app.register(swagger, openapiOptions(config));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthPlugin, { services });
  await app.register(metricsPlugin, { services });
  // One provider per tenant, built once here and shared by the protocol endpoints and the sign-in pages.
  const providers = new OidcProviders(services, app.log);
  app.addHook('onClose', async () => providers.close());
  await app.register(oidcPlugin, { services, providers });
  // The token endpoint's hot path skips Fastify when it can, with the same limits, headers, logs and metrics.
  serveTokenEndpointDirectly(app, { services, providers });
  await app.register(interactionsPlugin, { services, providers });
  await app.register(graphPlugin, { services, prefix: '/v1.0' });
  await app.register(instancePlugin, { services, prefix: '/instance/v1' });
  await app.register(mailPlugin, { services });
  await app.register(blockRoutes, { services });
  await app.register(webAssetsPlugin);
  await app.register(redemptionPlugin, { services });
  await app.register(federationPlugin, { services });
  await app.register(signupPlugin, { services });
  await app.register(demoPlugin, { services });
  await app.register(portalAuthPlugin, { services });
  await app.register(consolePlugin, { services });
  await app.register(myAppsPlugin, { services });

  return app;
}
