import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { pageHeaders } from '../web/layout.js';
import { blockPage, invalidLinkPage } from './block-pages.js';
import { describeBlockLink, setBlocked } from './operations.js';

const linkQuery = z.object({
  tenant: z.string().max(64).default(''),
  invitation: z.string().max(64).default(''),
  sig: z.string().max(128).default(''),
});

/**
 * The "block future invitations" link from the invitation mail. No sign-in: the signed link is the proof, and
 * its signature is the form's CSRF token (a third party cannot know it).
 */
export async function blockRoutes(root: FastifyInstance, { services }: { services: Services }) {
  await root.register(formbody);
  const app = root.withTypeProvider<ZodTypeProvider>();

  const notValid = (reply: FastifyReply) => reply.status(404).headers(pageHeaders).send(invalidLinkPage());

  /** The page for a link: the question (or its answer, after a POST), or "not valid" for a bad link. */
  async function render(
    reply: FastifyReply,
    query: z.infer<typeof linkQuery>,
    done?: 'blocked' | 'unblocked',
  ) {
    const link = await describeBlockLink(services, query.tenant, query.invitation, query.sig);
    if (!link) return notValid(reply);
    return reply.headers(pageHeaders).send(
      blockPage({
        organizationName: link.tenant.display_name,
        organizationDomain: link.tenant.default_domain,
        email: link.invitation.invited_email,
        blocked: link.blocked,
        action: '/invitations/block',
        hidden: query,
        ...(done && { done }),
      }),
    );
  }

  app.get('/invitations/block', { schema: { hide: true, querystring: linkQuery } }, async (request, reply) =>
    render(reply, request.query),
  );

  app.post(
    '/invitations/block',
    { schema: { hide: true, body: linkQuery.extend({ blocked: z.enum(['true', 'false']) }) } },
    async (request, reply) => {
      const { blocked, ...query } = request.body;
      const changed = await setBlocked(services, {
        tenantId: query.tenant,
        invitationId: query.invitation,
        sig: query.sig,
        blocked: blocked === 'true',
        ipAddress: request.ip,
      });
      if (!changed) return notValid(reply);
      return render(reply, query, blocked === 'true' ? 'blocked' : 'unblocked');
    },
  );
}
