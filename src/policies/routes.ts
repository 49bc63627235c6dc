import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { publish } from '../audit/publish.js';
import { requirePermission } from '../graph/permissions.js';
import { actorOf } from '../graph/principal.js';
import { odataContext } from '../graph/response.js';
import { authorizationPolicyPatch, authorizationPolicyResponse } from './schemas.js';
import { getAuthorizationPolicy, updateAuthorizationPolicy } from './service.js';

/** /policies/authorizationPolicy (https://learn.microsoft.com/graph/api/resources/authorizationpolicy). */
export async function policyRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const describe = async (tenantId: string) => ({
    '@odata.context': odataContext(services.config.baseUrl, 'policies/authorizationPolicy', undefined, true),
    id: 'authorizationPolicy' as const,
    displayName: 'Authorization Policy',
    description: 'Used to manage authorization related settings across the company.',
    ...(await getAuthorizationPolicy(services.db, tenantId)),
  });

  app.get(
    '/policies/authorizationPolicy',
    { schema: { tags: ['policies'], response: { 200: authorizationPolicyResponse } } },
    async (request) => {
      requirePermission(request.principal, 'readPolicies');
      return describe(request.principal.tenantId);
    },
  );

  app.patch(
    '/policies/authorizationPolicy',
    { schema: { tags: ['policies'], body: authorizationPolicyPatch } },
    async (request, reply) => {
      const { principal } = request;
      requirePermission(principal, 'writeAuthorizationPolicy');
      await services.db.transaction().execute(async (trx) => {
        const now = services.clock.now().toISOString();
        const { before, after } = await updateAuthorizationPolicy(trx, principal.tenantId, request.body, now);
        await publish(trx, services, {
          type: 'policy.updated',
          tenantId: principal.tenantId,
          actor: actorOf(principal),
          targets: [
            {
              id: 'authorizationPolicy',
              type: 'Policy',
              displayName: 'Authorization Policy',
              modifiedProperties: Object.keys(request.body).map((key) => ({
                displayName: key,
                oldValue: JSON.stringify(before[key as keyof typeof before]),
                newValue: JSON.stringify(after[key as keyof typeof after]),
              })),
            },
          ],
          correlationId: request.id,
        });
      });
      return reply.status(204).send();
    },
  );
}
