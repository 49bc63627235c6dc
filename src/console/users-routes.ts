import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { addGroupMember } from '../groups/service.js';
import { resendInvitation } from '../invitations/operations.js';
import { invitationBody } from '../invitations/schemas.js';
import { invite } from '../invitations/service.js';
import { findInvitationOfUser } from '../invitations/store.js';
import type { PortalContext } from '../portal/context.js';
import { takeStash } from '../portal/stash.js';
import { removeUser, requireUser, revokeSignInSessions } from '../users/service.js';
import { portalDictionaryOf } from '../web/i18n/index.js';
import { field, formErrorOf } from './form-errors.js';
import { type ConsoleRequest, consoleRoute } from './guard.js';
import { invitePage, submitInvite } from './pages/invite.js';
import { userPage } from './pages/user.js';
import { usersListPage } from './pages/users-list.js';

const hide = { schema: { hide: true } };

async function requireInvitationOf(services: Services, ctx: PortalContext, userId: string) {
  const invitation = await findInvitationOfUser(services.db, ctx.tenant.id, userId);
  if (!invitation) throw new FoyerError('notFound', 'This user has no invitation.');
  return invitation;
}

/** The user page's actions, each through the service the Graph API uses (which authorizes the caller). */
const userActions: Record<
  string,
  {
    label: 'resendButton' | 'resetButton' | 'revokeButton' | 'addToGroupButton';
    run(services: Services, ctx: PortalContext, id: string, body: Record<string, unknown>): Promise<unknown>;
  }
> = {
  resend: {
    label: 'resendButton',
    run: async (services, ctx, id) =>
      resendInvitation(services, ctx.principal, (await requireInvitationOf(services, ctx, id)).id),
  },
  reset: {
    label: 'resetButton',
    run: async (services, ctx, id, body) => {
      const invitation = await requireInvitationOf(services, ctx, id);
      const newEmail = field(body, 'newEmail').trim();
      return invite(
        services,
        ctx.principal,
        invitationBody.parse({
          invitedUserEmailAddress: newEmail || invitation.invited_email,
          inviteRedirectUrl: invitation.invite_redirect_url,
          sendInvitationMessage: true,
          resetRedemption: true,
          invitedUser: { id },
        }),
      );
    },
  },
  revoke: {
    label: 'revokeButton',
    run: (services, ctx, id) => revokeSignInSessions(services, ctx.principal, id),
  },
  // The same service as the group page's "Add" and POST /groups/{id}/members/$ref, which authorizes the caller.
  groups: {
    label: 'addToGroupButton',
    run: (services, ctx, id, body) =>
      addGroupMember(services, ctx.principal, field(body, 'group').trim(), id),
  },
};

export async function consoleUsersRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get(
    '/:tenant/admin/users',
    hide,
    consoleRoute(services, 'users', async (ctx, request, reply) =>
      reply.send(await usersListPage(services, ctx, request.query)),
    ),
  );

  app.get(
    '/:tenant/admin/users/:id',
    hide,
    consoleRoute(services, 'users', async (ctx, request, reply) => {
      const id = request.params.id!;
      // A user-page form posted after the session expired (the new email of a redemption reset) comes back here.
      const restored = await takeStash(
        services,
        ctx.tenant.id,
        `${ctx.base}/users/${id}`,
        request.query.restore,
      );
      return reply.send(await userPage(services, ctx, id, restored && { restored }));
    }),
  );

  for (const [name, action] of Object.entries(userActions)) {
    app.post(
      `/:tenant/admin/users/:id/${name}`,
      hide,
      consoleRoute(services, 'users', async (ctx, request: ConsoleRequest, reply) => {
        const id = (await requireUser(services, ctx.tenant.id, request.params.id!)).id;
        const t = portalDictionaryOf(ctx.lang);
        try {
          await action.run(services, ctx, id, request.body ?? {});
          return reply.send(await userPage(services, ctx, id, { done: t[action.label] }));
        } catch (error) {
          const refused = formErrorOf(error);
          return reply
            .status(refused.status)
            .send(await userPage(services, ctx, id, { error: refused.message }));
        }
      }),
    );
  }

  app.post(
    '/:tenant/admin/users/:id/delete',
    hide,
    consoleRoute(services, 'users', async (ctx, request, reply) => {
      const user = await requireUser(services, ctx.tenant.id, request.params.id!);
      if (field(request.body, 'confirm').trim().toLowerCase() !== user.user_principal_name.toLowerCase()) {
        return reply
          .status(400)
          .send(
            await userPage(services, ctx, user.id, { error: portalDictionaryOf(ctx.lang).deleteConfirm }),
          );
      }
      try {
        await removeUser(services, ctx.principal, user.id);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await userPage(services, ctx, user.id, { error: refused.message }));
      }
      return reply.redirect(`${ctx.base}/users?deleted=1`, 303);
    }),
  );

  app.get(
    '/:tenant/admin/invite',
    hide,
    consoleRoute(services, 'invite', async (ctx, request, reply) => {
      const values = await takeStash(services, ctx.tenant.id, `${ctx.base}/invite`, request.query.restore);
      return reply.send(await invitePage(services, ctx, { ...(values && { values, restored: true }) }));
    }),
  );

  app.post(
    '/:tenant/admin/invite',
    hide,
    consoleRoute(services, 'invite', async (ctx, request, reply) => {
      const result = await submitInvite(services, ctx, request.body ?? {});
      return reply.status(result.status).send(result.page);
    }),
  );
}
