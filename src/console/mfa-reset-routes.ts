import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { resetUserMfa } from '../mfa/methods.js';
import { portalDictionaryOf } from '../web/i18n/index.js';
import { field, formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { userPage } from './pages/user.js';

/** The MFA reset's POST (the form is src/console/mfa-reset.ts): the user's TOTP method goes, after a confirm. */
export async function consoleMfaResetRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.post(
    '/:tenant/admin/users/:id/mfa-reset',
    { schema: { hide: true } },
    consoleRoute(services, 'users', async (ctx, request, reply) => {
      const id = request.params.id!;
      const t = portalDictionaryOf(ctx.lang);
      if (field(request.body, 'confirm') !== 'on') {
        return reply.status(400).send(await userPage(services, ctx, id, { error: t.mfaResetConfirm }));
      }
      try {
        await resetUserMfa(services, ctx.principal, id, request.id);
        return reply.send(await userPage(services, ctx, id, { done: t.mfaResetButton }));
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await userPage(services, ctx, id, { error: refused.message }));
      }
    }),
  );
}
