import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { applicationRoutes } from '../applications/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { bulkInvitationRoutes } from '../bulk/routes.js';
import { crossTenantRoutes } from '../crosstenant/routes.js';
import { identityProviderRoutes } from '../federation/routes.js';
import { groupRoutes } from '../groups/routes.js';
import { invitationRoutes } from '../invitations/routes.js';
import { mfaMethodRoutes } from '../mfa/routes.js';
import { policyRoutesPlugin } from '../policies/routes.js';
import { chargeOnSuccess, spend } from '../ratelimit/budgets.js';
import { signInRoutes } from '../signins/routes.js';
import { organizationRoutes } from '../tenants/organization-routes.js';
import { userRoutes } from '../users/routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { createAuthHook } from './auth.js';

/** The Microsoft Graph v1.0-shaped directory API. Every route needs a token; the tenant is the token's. */
export async function graphPlugin(app: FastifyInstance, { services }: { services: Services }) {
  app.decorateRequest('principal', null as never);
  // JSON only (PRODUCT.md §3): without this, Fastify's built-in text/plain parser would hand a string to the
  // body schema (a 400) where any other non-JSON type is a 415.
  app.removeContentTypeParser('text/plain');
  // Directory data and, on some routes, secrets (addPassword's secretText): never kept by a cache or proxy.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('cache-control', 'no-store');
    done();
  });
  app.addHook('onRequest', createAuthHook(services));
  // Every API call costs its caller's budget; the tenant's ceiling is paid by successful calls only, so a
  // caller refused with 403s cannot throttle the others. POST /invitations has its own, lower budgets.
  const { api, apiPerCaller } = services.config.rateLimits;
  const budget = { name: 'api', perCaller: apiPerCaller, tenant: api };
  app.addHook('onRequest', async (request) => spend(services, request, budget));
  // Charged before the response leaves (onSend, not onResponse), so the caller's next request already sees it.
  app.addHook('onSend', async (request, reply, payload) => {
    await chargeOnSuccess(services, request, reply);
    return payload;
  });
  for (const routes of [
    userRoutes,
    groupRoutes,
    applicationRoutes,
    organizationRoutes,
    policyRoutesPlugin,
    auditRoutes,
    signInRoutes,
    invitationRoutes,
    bulkInvitationRoutes,
    webhookRoutes,
    identityProviderRoutes,
    mfaMethodRoutes,
    crossTenantRoutes,
  ]) {
    await app.register(routes, { services });
  }
}
