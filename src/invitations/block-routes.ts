import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
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
  const action = '/invitations/block';

  app.get(
    '/invitations/block',
    { schema: { hide: true, querystring: linkQuery } },
    async (request, reply) => {
      const { tenant, invitation, sig } = request.query;
      const link = await describeBlockLink(services, tenant, invitation, sig);
      reply.headers(pageHeaders);
      if (!link) return reply.status(404).send(invalidLinkPage());
      return blockPage({
        organizationName: link.tenant.display_name,
        organizationDomain: link.tenant.default_domain,
        email: link.invitation.invited_email,
        blocked: link.blocked,
        action,
        hidden: { tenant, invitation, sig },
      });
    },
  );

  app.post(
    '/invitations/block',
    { schema: { hide: true, body: linkQuery.extend({ blocked: z.enum(['true', 'false']) }) } },
    async (request, reply) => {
      const { tenant, invitation, sig, blocked } = request.body;
      reply.headers(pageHeaders);
      const ok = await setBlocked(services, {
        tenantId: tenant,
        invitationId: invitation,
        sig,
        blocked: blocked === 'true',
        ipAddress: request.ip,
      });
      const link = ok ? await describeBlockLink(services, tenant, invitation, sig) : undefined;
      if (!link) return reply.status(404).send(invalidLinkPage());
      return blockPage({
        organizationName: link.tenant.display_name,
        organizationDomain: link.tenant.default_domain,
        email: link.invitation.invited_email,
        blocked: link.blocked,
        action,
        hidden: { tenant, invitation, sig },
        done: blocked === 'true' ? 'blocked' : 'unblocked',
      });
    },
  );
}
