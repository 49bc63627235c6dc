import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { loggerOptions } from './app/logger.js';
import { openapiOptions } from './app/openapi.js';
import type { ResolvedConfig, Services } from './app/services.js';
import type { Db } from './db/connect.js';
import { frameworkErrors, registerErrorMapper } from './errors/mapper.js';
import { graphPlugin } from './graph/plugin.js';
import { healthPlugin } from './health/routes.js';
import { blockRoutes } from './invitations/block-routes.js';
import { mailPlugin } from './mail/routes.js';
import { createMetrics } from './metrics/registry.js';
import { metricsPlugin } from './metrics/routes.js';
import { oidcPlugin } from './oidc/index.js';
import { type Clock, systemClock } from './platform/clock.js';
import { type Ids, randomIds } from './platform/ids.js';
import { instancePlugin } from './tenants/instance-routes.js';

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
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** All wiring, explicit: each concept is a plugin that receives the services it uses. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const services: Services = {
    config,
    db: database.db,
    dialect: database.dialect,
    clock: deps.clock ?? systemClock,
    ids: deps.ids ?? randomIds,
    metrics: createMetrics(),
  };

  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(config.logLevel),
    // Request ids are ours (never taken from the client); the client's own id is echoed separately.
    genReqId: () => services.ids.uuid(),
    requestIdHeader: false,
    // A hop count becomes proxy-addr's own form of it (Fastify's types do not list the number form).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A path parameter may be a userPrincipalName (up to 256 characters, percent-encoded); longer is a 400.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();

  app.decorate('services', services);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorMapper(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
    const clientRequestId = request.headers['client-request-id'];
    if (typeof clientRequestId === 'string') reply.header('client-request-id', clientRequestId);
  });

  await app.register(swagger, openapiOptions(config));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthPlugin, { services });
  await app.register(metricsPlugin, { services });
  await app.register(oidcPlugin, { services });
  await app.register(graphPlugin, { services, prefix: '/v1.0' });
  await app.register(instancePlugin, { services, prefix: '/instance/v1' });
  await app.register(mailPlugin, { services });
  await app.register(blockRoutes, { services });

  return app;
}
