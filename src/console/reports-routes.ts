import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { consoleRoute } from './guard.js';
import { auditPage, signInsPage } from './pages/logs.js';
import { usagePage } from './pages/usage.js';

const hide = { schema: { hide: true } };

/** Read-only reports: the audit and sign-in logs, and the usage report. */
export async function consoleReportsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get(
    '/:tenant/admin/audit',
    hide,
    consoleRoute(services, 'audit', async (ctx, request, reply) =>
      reply.send(await auditPage(services, ctx, request.query)),
    ),
  );
  app.get(
    '/:tenant/admin/sign-ins',
    hide,
    consoleRoute(services, 'signins', async (ctx, request, reply) =>
      reply.send(await signInsPage(services, ctx, request.query)),
    ),
  );
  app.get(
    '/:tenant/admin/usage',
    hide,
    consoleRoute(services, 'usage', async (ctx, _request, reply) =>
      reply.send(await usagePage(services, ctx)),
    ),
  );
}
