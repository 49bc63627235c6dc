import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { field, formErrorOf } from '../console/form-errors.js';
import {
  confirmMyEnrolment,
  regenerateMyRecoveryCodes,
  removeMyMethod,
  startMyEnrolment,
} from '../mfa/self-service.js';
import type { PortalContext } from '../portal/context.js';
import { portalDictionaryOf } from '../web/i18n/index.js';
import { myEnrolPage, myMfaRemovedPage, myRecoveryCodesPage } from './mfa.js';

type Request = FastifyRequest<{
  Params: { tenant: string };
  Querystring: Record<string, string | undefined>;
  Body: Record<string, string | undefined>;
}>;
type Handler = (ctx: PortalContext, request: Request, reply: FastifyReply) => Promise<unknown>;

/** My Apps' MFA actions; `route` is My Apps' own guard (signed in, CSRF), `home` its page with an error. */
export function myMfaRoutes(
  app: FastifyInstance,
  services: Services,
  route: (handler: Handler) => (request: Request, reply: FastifyReply) => Promise<unknown>,
  home: (ctx: PortalContext, error?: string) => Promise<string>,
) {
  const hide = { schema: { hide: true } };
  /** A refused action (a 4xx of the service) comes back to the home page with its message. */
  const guarded = (handler: Handler) =>
    route(async (ctx, request, reply) => {
      try {
        return await handler(ctx, request, reply);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply.status(refused.status).send(await home(ctx, refused.message));
      }
    });

  app.post(
    '/:tenant/myapps/mfa/enrol',
    hide,
    guarded(async (ctx, _request, reply) =>
      reply.send(myEnrolPage(ctx, await startMyEnrolment(services, ctx.principal))),
    ),
  );
  app.post(
    '/:tenant/myapps/mfa/confirm',
    hide,
    guarded(async (ctx, request, reply) => {
      const code = field(request.body, 'code');
      const codes = await confirmMyEnrolment(services, ctx.principal, code, request.ip);
      if (codes !== 'wrong') return reply.send(myRecoveryCodesPage(ctx, codes));
      const again = await startMyEnrolment(services, ctx.principal);
      const error = portalDictionaryOf(ctx.lang).myMfaWrongCode;
      return reply.status(400).send(myEnrolPage(ctx, { ...again, error }));
    }),
  );
  app.post(
    '/:tenant/myapps/mfa/remove',
    hide,
    guarded(async (ctx, request, reply) => {
      if (field(request.body, 'confirm') !== 'on') {
        const organization = ctx.tenant.display_name;
        const message = portalDictionaryOf(ctx.lang).myMfaRemoveConfirm.replace(
          '{organization}',
          organization,
        );
        return reply.status(400).send(await home(ctx, message));
      }
      await removeMyMethod(services, ctx.principal, field(request.body, 'code'), request.id);
      return reply.send(myMfaRemovedPage(ctx));
    }),
  );
  app.post(
    '/:tenant/myapps/mfa/recovery-codes',
    hide,
    guarded(async (ctx, request, reply) =>
      reply.send(
        myRecoveryCodesPage(
          ctx,
          await regenerateMyRecoveryCodes(services, ctx.principal, field(request.body, 'code'), request.id),
        ),
      ),
    ),
  );
}
