import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { authorize } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import { invalidatePrincipals } from '../auth/resolve.js';
import { odataContext } from '../graph/response.js';
import { b2bPolicyPatch, b2bPolicyResponse } from './b2b.js';
import {
  authorizationPolicyDefinition,
  b2bPolicyDefinition,
  type PolicyDefinition,
  patchPolicyIn,
} from './editing.js';
import { authorizationPolicyPatch, authorizationPolicyResponse } from './schemas.js';

/** GET and PATCH for one tenant policy; every change is audited with its old and new values. */
function policyRoutes<Doc extends object>(services: Services, definition: PolicyDefinition<Doc>) {
  const { config, db } = services;
  // The policy's "service": describe and patch check the caller themselves, so every route stays a one-liner.
  const describe = async (principal: Principal) => {
    authorize(principal, 'readPolicies');
    return read(principal.tenantId);
  };
  const read = async (tenantId: string) => ({
    '@odata.context': odataContext(config.baseUrl, `policies/${definition.type}`, undefined, true),
    id: definition.type,
    displayName: definition.displayName,
    ...(definition.description !== undefined && { description: definition.description }),
    ...(await definition.get(db, tenantId)),
  });
  const patch = async (principal: Principal, body: Partial<Doc>, correlationId: string) => {
    await db
      .transaction()
      .execute((trx) => patchPolicyIn(trx, services, principal, definition, body, correlationId));
    // The guest access level is part of every guest's standing (src/auth/resolve.ts).
    invalidatePrincipals(db);
  };
  return { describe, patch };
}

/** /policies/authorizationPolicy and /policies/b2bManagementPolicy (PRODUCT §3, §5). */
export async function policyRoutesPlugin(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const authorization = policyRoutes(services, authorizationPolicyDefinition);
  app.get(
    '/policies/authorizationPolicy',
    { schema: { tags: ['policies'], response: { 200: authorizationPolicyResponse } } },
    async (request) => {
      return {
        ...(await authorization.describe(request.principal)),
        id: 'authorizationPolicy' as const,
      };
    },
  );
  app.patch(
    '/policies/authorizationPolicy',
    { schema: { tags: ['policies'], body: authorizationPolicyPatch } },
    async (request, reply) => {
      await authorization.patch(request.principal, request.body, request.id);
      return reply.status(204).send();
    },
  );

  const b2b = policyRoutes(services, b2bPolicyDefinition);
  app.get(
    '/policies/b2bManagementPolicy',
    { schema: { tags: ['policies'], response: { 200: b2bPolicyResponse } } },
    async (request) => {
      return { ...(await b2b.describe(request.principal)), id: 'b2bManagementPolicy' as const };
    },
  );
  app.patch(
    '/policies/b2bManagementPolicy',
    { schema: { tags: ['policies'], body: b2bPolicyPatch } },
    async (request, reply) => {
      await b2b.patch(request.principal, request.body, request.id);
      return reply.status(204).send();
    },
  );
}
