import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { createGroupBody } from '../groups/schemas.js';
import { addGroupMember, createGroup, removeGroupMember } from '../groups/service.js';
import { takeStash } from '../portal/stash.js';
import { requireUser } from '../users/service.js';
import { field, formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { groupPage, groupsPage } from './pages/groups.js';

const hide = { schema: { hide: true } };

/** A mail nickname Graph accepts, from the display name (printable ASCII, no spaces) plus a random tail. */
const nicknameOf = (name: string, tail: string) =>
  `${
    name
      .normalize('NFKD')
      .replace(/[^\x21-\x7e]/g, '')
      .slice(0, 40) || 'group'
  }-${tail}`;

export async function consoleGroupsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get(
    '/:tenant/admin/groups',
    hide,
    consoleRoute(services, 'groups', async (ctx, request, reply) => {
      const values = await takeStash(services, ctx.tenant.id, `${ctx.base}/groups`, request.query.restore);
      return reply.send(
        await groupsPage(services, ctx, {
          after: request.query.after,
          ...(values && { values, restored: true }),
        }),
      );
    }),
  );

  app.post(
    '/:tenant/admin/groups',
    hide,
    consoleRoute(services, 'groups', async (ctx, request, reply) => {
      const body = request.body ?? {};
      try {
        const description = field(body, 'description').trim();
        const group = await createGroup(
          services,
          ctx.principal,
          createGroupBody.parse({
            displayName: field(body, 'displayName').trim(),
            ...(description && { description }),
            mailNickname: nicknameOf(field(body, 'displayName'), services.ids.token(4)),
            mailEnabled: false,
            securityEnabled: true,
          }),
        );
        return reply.redirect(`${ctx.base}/groups/${group.id}`, 303);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await groupsPage(services, ctx, { values: body, error: refused.message }));
      }
    }),
  );

  app.get(
    '/:tenant/admin/groups/:id',
    hide,
    consoleRoute(services, 'groups', async (ctx, request, reply) =>
      reply.send(await groupPage(services, ctx, request.params.id!)),
    ),
  );

  const membership = (change: 'add' | 'remove') =>
    consoleRoute(services, 'groups', async (ctx, request, reply) => {
      const groupId = request.params.id!;
      try {
        const member = await requireUser(services, ctx.tenant.id, field(request.body, 'member').trim());
        if (change === 'add') await addGroupMember(services, ctx.principal, groupId, member.id);
        else await removeGroupMember(services, ctx.principal, groupId, member.id);
        return reply.redirect(`${ctx.base}/groups/${groupId}`, 303);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await groupPage(services, ctx, groupId, { error: refused.message }));
      }
    });
  app.post('/:tenant/admin/groups/:id/add', hide, membership('add'));
  app.post('/:tenant/admin/groups/:id/remove', hide, membership('remove'));
}
