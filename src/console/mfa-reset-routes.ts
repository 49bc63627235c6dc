import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { deleteSoftwareOathMethod, listSoftwareOathMethods } from '../mfa/methods.js';
import { requireUser } from '../users/service.js';
import { portalDictionaryOf } from '../web/i18n/index.js';
import { field, formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { userPage } from './pages/user.js';

/** The MFA reset's POST (the form is src/console/mfa-reset.ts): every TOTP method of the user, after a confirm. */
export async function consoleMfaResetRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.post(
    '/:tenant/admin/users/:id/mfa-reset',
    { schema: { hide: true } },
    consoleRoute(services, 'users', async (ctx, request, reply) => {
      const user = await requireUser(services, ctx.tenant.id, request.params.id!);
      const t = portalDictionaryOf(ctx.lang);
      if (field(request.body, 'confirm') !== 'on') {
        return reply.status(400).send(await userPage(services, ctx, user.id, { error: t.mfaResetConfirm }));
      }
      try {
        const { value } = await listSoftwareOathMethods(services, ctx.principal, user.id);
        for (const method of value) {
          await deleteSoftwareOathMethod(services, ctx.principal, user.id, method.id, request.id);
        }
        return reply.send(await userPage(services, ctx, user.id, { done: t.mfaResetButton }));
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await userPage(services, ctx, user.id, { error: refused.message }));
      }
    }),
  );
}
