import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { registerPageErrors } from '../web/errors.js';
import { consoleAppsRoutes } from './apps-routes.js';
import { consoleBulkRoutes } from './bulk-routes.js';
import { consoleGroupsRoutes } from './groups-routes.js';
import { consoleRoute } from './guard.js';
import { consoleIdentityProvidersRoutes } from './identity-providers-routes.js';
import { consoleMfaResetRoutes } from './mfa-reset-routes.js';
import { homePage } from './pages/home.js';
import { consoleReportsRoutes } from './reports-routes.js';
import { consoleSettingsRoutes } from './settings-routes.js';
import { consoleUsersRoutes } from './users-routes.js';
import { consoleWebhooksRoutes } from './webhooks-routes.js';

/**
 * The admin console, /{tenant}/admin (tenant by id, slug or verified domain, as the protocol routes accept).
 * Each section registers its pages here; every route goes through consoleRoute (session, role, section).
 */
export async function consolePlugin(app: FastifyInstance, { services }: { services: Services }) {
  registerPageErrors(app);
  await app.register(formbody);
  app.get(
    '/:tenant/admin',
    { schema: { hide: true } },
    consoleRoute(services, null, async (ctx, _request, reply) => reply.send(homePage(ctx))),
  );
  await app.register(consoleUsersRoutes, { services });
  await app.register(consoleGroupsRoutes, { services });
  await app.register(consoleReportsRoutes, { services });
  await app.register(consoleSettingsRoutes, { services });
  await app.register(consoleAppsRoutes, { services });
  await app.register(consoleBulkRoutes, { services });
  await app.register(consoleIdentityProvidersRoutes, { services });
  await app.register(consoleMfaResetRoutes, { services });
  await app.register(consoleWebhooksRoutes, { services });
}
