import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { publish } from '../audit/publish.js';
import { authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { invalidatePrincipals } from '../auth/resolve.js';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { odataContext } from '../graph/response.js';
import { b2bPolicyPatch, b2bPolicyResponse } from './b2b.js';
import { authorizationPolicyPatch, authorizationPolicyResponse } from './schemas.js';
import {
  getAuthorizationPolicy,
  getB2bPolicy,
  updateAuthorizationPolicy,
  updateB2bPolicy,
} from './service.js';
import type { PolicyType } from './store.js';

type Executor = Services['db'];

interface PolicyDefinition<Doc extends object> {
  type: PolicyType;
  /** The domain event a change publishes (its audit activity name differs per policy). */
  event: string;
  displayName: string;
  description?: string;
  get(db: Executor, tenantId: string): Promise<Doc>;
  /** Runs in the PATCH's transaction and locks the policy row until it commits. */
  update(
    trx: Transaction<Database>,
    dialect: Dialect,
    tenantId: string,
    patch: Partial<Doc>,
    now: string,
  ): Promise<{ before: Doc; after: Doc }>;
}

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
    authorize(principal, 'writeAuthorizationPolicy');
    await db.transaction().execute(async (trx) => {
      const now = services.clock.now().toISOString();
      const { before, after } = await definition.update(trx, services.dialect, principal.tenantId, body, now);
      const changed = Object.keys(body) as Array<keyof Doc>;
      await publish(trx, services, {
        type: definition.event,
        tenantId: principal.tenantId,
        actor: actorOf(principal),
        targets: [
          {
            id: definition.type,
            type: 'Policy',
            displayName: definition.displayName,
            modifiedProperties: changed.map((key) => ({
              displayName: String(key),
              oldValue: JSON.stringify(before[key]),
              newValue: JSON.stringify(after[key]),
            })),
          },
        ],
        correlationId,
      });
    });
    // The guest access level is part of every guest's standing (src/auth/resolve.ts).
    invalidatePrincipals(db);
  };
  return { describe, patch };
}

/** /policies/authorizationPolicy and /policies/b2bManagementPolicy (PRODUCT §3, §5). */
export async function policyRoutesPlugin(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const authorization = policyRoutes(services, {
    type: 'authorizationPolicy',
    event: 'policy.updated',
    displayName: 'Authorization Policy',
    description: 'Used to manage authorization related settings across the company.',
    get: getAuthorizationPolicy,
    update: updateAuthorizationPolicy,
  });
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

  const b2b = policyRoutes(services, {
    type: 'b2bManagementPolicy',
    event: 'policy.b2b.updated',
    displayName: 'B2B Management Policy',
    get: getB2bPolicy,
    update: updateB2bPolicy,
  });
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
