import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { formErrorOf } from '../console/form-errors.js';
import { invitePage, submitInvite } from '../console/pages/invite.js';
import { hasConsoleRole } from '../console/sections.js';
import { assertMayInvite } from '../invitations/authorization.js';
import { getAuthorizationPolicy } from '../policies/service.js';
import { type PortalContext, portalContext } from '../portal/context.js';
import { takeStash } from '../portal/stash.js';
import { readMe } from '../users/reads.js';
import { registerPageErrors } from '../web/errors.js';
import { pageHeaders } from '../web/layout.js';
import { myMfaSlot } from './mfa.js';
import { myMfaRoutes } from './mfa-routes.js';
import { leftPage, myAppsFrame, myAppsHome } from './pages.js';
import { leaveOrganization, mayLeave, myApps, myOrganizations } from './service.js';

type MyAppsRequest = FastifyRequest<{
  Params: { tenant: string };
  Querystring: Record<string, string | undefined>;
  Body: Record<string, string | undefined>;
}>;

const hide = { schema: { hide: true } };

/** Why the same rule as POST /invitations refuses this person (allowInvitesFrom, role, user type), if it does. */
async function inviteRefusal(services: Services, ctx: PortalContext) {
  try {
    await assertMayInvite(services, ctx.principal, await getAuthorizationPolicy(services.db, ctx.tenant.id));
    return undefined;
  } catch (error) {
    return formErrorOf(error);
  }
}

const mayInvite = async (services: Services, ctx: PortalContext) => !(await inviteRefusal(services, ctx));

/** /{tenant}/myapps: every signed-in person of the tenant, members and guests, whatever their role. */
export async function myAppsPlugin(app: FastifyInstance, { services }: { services: Services }) {
  registerPageErrors(app);
  await app.register(formbody);

  const route =
    (handler: (ctx: PortalContext, request: MyAppsRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: MyAppsRequest, reply: FastifyReply) => {
      const ctx = await portalContext(services, request, reply, 'myapps');
      if (!ctx) return reply;
      reply.headers(pageHeaders);
      return handler(ctx, request, reply);
    };

  const home = async (ctx: PortalContext, error?: string) => {
    const [apps, organizations, me, invite, leave, mfa] = await Promise.all([
      myApps(services, ctx.principal),
      myOrganizations(services, ctx.principal),
      readMe(services, ctx.principal, ['displayName', 'mail', 'userPrincipalName', 'userType']),
      mayInvite(services, ctx),
      mayLeave(services, ctx.principal),
      myMfaSlot(services, ctx),
    ]);
    return myAppsHome(ctx, {
      apps,
      organizations,
      profile: {
        displayName: String(me.displayName ?? ''),
        mail: (me.mail as string | null) ?? null,
        userPrincipalName: String(me.userPrincipalName ?? ''),
        userType: String(me.userType ?? ''),
      },
      mayInvite: invite,
      mayLeave: leave,
      console: hasConsoleRole(ctx.principal),
      mfa,
      ...(error && { error }),
    });
  };

  app.get(
    '/:tenant/myapps',
    hide,
    route(async (ctx, _request, reply) => reply.send(await home(ctx))),
  );

  const surface = (ctx: PortalContext) => ({
    action: `${ctx.base}/invite`,
    frame: (title: string, body: Parameters<typeof myAppsFrame>[2]) => myAppsFrame(ctx, title, body),
  });
  app.get(
    '/:tenant/myapps/invite',
    hide,
    route(async (ctx, request, reply) => {
      // The link is hidden when the policy forbids inviting; reached by its address, the form would only be
      // refused once filled in, so My Apps says why at once.
      const refused = await inviteRefusal(services, ctx);
      if (refused) return reply.status(refused.status).send(await home(ctx, refused.message));
      const values = await takeStash(services, ctx.tenant.id, `${ctx.base}/invite`, request.query.restore);
      return reply.send(
        await invitePage(services, ctx, { ...surface(ctx), ...(values && { values, restored: true }) }),
      );
    }),
  );
  app.post(
    '/:tenant/myapps/invite',
    hide,
    route(async (ctx, request, reply) => {
      const result = await submitInvite(services, ctx, request.body ?? {}, surface(ctx));
      return reply.status(result.status).send(result.page);
    }),
  );

  myMfaRoutes(app, services, route, home);

  app.post(
    '/:tenant/myapps/leave',
    hide,
    route(async (ctx, _request, reply) => {
      try {
        await leaveOrganization(services, ctx.principal);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply.status(refused.status).send(await home(ctx, refused.message));
      }
      return reply.send(leftPage(ctx));
    }),
  );
}
