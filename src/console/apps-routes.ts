import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { createApplicationBody } from '../applications/schemas.js';
import {
  addApplicationPassword,
  createApplication,
  grantApplicationPermissions,
} from '../applications/service.js';
import { takeStash } from '../portal/stash.js';
import { field, fieldList, formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { appPage, appsPage } from './pages/apps.js';

const hide = { schema: { hide: true } };

/** Applications: register, a secret shown once, permissions; each through the applications service. */
export async function consoleAppsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get(
    '/:tenant/admin/apps',
    hide,
    consoleRoute(services, 'apps', async (ctx, request, reply) => {
      const values = await takeStash(services, ctx.tenant.id, `${ctx.base}/apps`, request.query.restore);
      return reply.send(await appsPage(services, ctx, values ? { values, restored: true } : {}));
    }),
  );
  app.post(
    '/:tenant/admin/apps',
    hide,
    consoleRoute(services, 'apps', async (ctx, request, reply) => {
      const body = request.body ?? {};
      try {
        const homePageUrl = field(body, 'homePageUrl').trim();
        const created = await createApplication(
          services,
          ctx.principal,
          createApplicationBody.parse({
            displayName: field(body, 'displayName').trim(),
            web: { redirectUris: fieldList(body, 'redirectUris'), ...(homePageUrl && { homePageUrl }) },
          }),
        );
        return reply.redirect(`${ctx.base}/apps/${created.id}`, 303);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await appsPage(services, ctx, { values: body, error: refused.message }));
      }
    }),
  );
  app.get(
    '/:tenant/admin/apps/:id',
    hide,
    consoleRoute(services, 'apps', async (ctx, request, reply) =>
      reply.send(await appPage(services, ctx, request.params.id!)),
    ),
  );
  app.post(
    '/:tenant/admin/apps/:id/secret',
    hide,
    consoleRoute(services, 'apps', async (ctx, request, reply) => {
      const id = request.params.id!;
      try {
        const credential = await addApplicationPassword(services, ctx.principal, id, {
          displayName: 'console',
        });
        // The secret is in this one answer (no-store) and nowhere else: only its hash is kept.
        return reply.send(await appPage(services, ctx, id, { secret: credential.secretText ?? '' }));
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await appPage(services, ctx, id, { error: refused.message }));
      }
    }),
  );
  app.post(
    '/:tenant/admin/apps/:id/permissions',
    hide,
    consoleRoute(services, 'apps', async (ctx, request, reply) => {
      const id = request.params.id!;
      try {
        await grantApplicationPermissions(
          services,
          ctx.principal,
          id,
          fieldList(request.body, 'permissions'),
        );
        return reply.send(await appPage(services, ctx, id, { saved: true }));
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await appPage(services, ctx, id, { error: refused.message }));
      }
    }),
  );
}
