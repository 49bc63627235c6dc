import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { spend } from '../ratelimit/budgets.js';
import { resendInvitation, revokeInvitation } from './operations.js';
import { invitationBody, invitationIdParams, invitationResource } from './schemas.js';
import { invite } from './service.js';

/** POST /v1.0/invitations (Graph), plus Foyer's resend and revoke. */
export async function invitationRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { invitations, invitationsPerCaller } = services.config.rateLimits;
  // 150 requests per 5 s by default, per caller and (successful ones) per tenant, counted in the database on
  // PostgreSQL so they hold across instances. Invalid requests cost the caller too.
  const budget = { name: 'invitations', perCaller: invitationsPerCaller, tenant: invitations };
  const throttle = async (request: FastifyRequest) => spend(services, request, budget);

  app.post(
    '/invitations',
    {
      preValidation: throttle,
      schema: { tags: ['invitations'], body: invitationBody, response: { 201: invitationResource } },
    },
    async (request, reply) => {
      const invitation = await invite(services, request.principal, request.body);
      return reply.status(201).send(invitation);
    },
  );

  app.post(
    '/invitations/:id/resend',
    {
      preValidation: throttle,
      schema: { tags: ['invitations'], params: invitationIdParams, response: { 200: invitationResource } },
    },
    async (request) => resendInvitation(services, request.principal, request.params.id),
  );

  app.post(
    '/invitations/:id/revoke',
    { schema: { tags: ['invitations'], params: invitationIdParams } },
    async (request, reply) => {
      await revokeInvitation(services, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );
}
