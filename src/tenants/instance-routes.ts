import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { operatorActor } from '../auth/principal.js';
import { requireOperator } from './operator-tokens.js';
import { provisionTenant } from './provision.js';
import {
  createTenantBody,
  domainBody,
  provisionedTenantResource,
  tenantResource,
  toTenantResource,
  verifyDomainBody,
} from './schemas.js';
import { addDomain, requireTenant, verifyDomain } from './service.js';
import { listDomains, listTenants } from './store.js';

const tenantParams = z.object({ tenant: z.string().min(1).max(253) });
const domainResource = z.object({ domain: z.string(), verified: z.boolean(), txtRecord: z.string() });

/** Instance-level operations for the operator (the same operations as the CLI), under /instance/v1. */
export async function instancePlugin(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  // A provisioned tenant's answer carries its admin password and client secret: never cached.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    await requireOperator(services, request.headers.authorization);
  });

  app.get(
    '/tenants',
    { schema: { tags: ['instance'], response: { 200: z.object({ value: z.array(tenantResource) }) } } },
    async () => ({ value: (await listTenants(services.db)).map(toTenantResource) }),
  );

  app.post(
    '/tenants',
    { schema: { tags: ['instance'], body: createTenantBody, response: { 201: provisionedTenantResource } } },
    async (request, reply) => {
      const provisioned = await provisionTenant(
        services,
        request.body,
        operatorActor('instance-api', request.ip),
      );
      const tenant = await requireTenant(services, provisioned.tenantId);
      return reply.status(201).send({ ...toTenantResource(tenant), ...provisioned });
    },
  );

  app.get(
    '/tenants/:tenant/domains',
    {
      schema: {
        tags: ['instance'],
        params: tenantParams,
        response: { 200: z.object({ value: z.array(domainResource) }) },
      },
    },
    async (request) => {
      const tenant = await requireTenant(services, request.params.tenant);
      const domains = await listDomains(services.db, tenant.id);
      return {
        value: domains.map((d) => ({
          domain: d.domain,
          verified: d.verified === 1,
          txtRecord: `foyer-verification=${d.verification_token}`,
        })),
      };
    },
  );

  app.post(
    '/tenants/:tenant/domains',
    {
      schema: {
        tags: ['instance'],
        params: tenantParams,
        body: domainBody,
        response: { 201: domainResource },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await addDomain(
            services,
            request.params.tenant,
            request.body.domain,
            operatorActor('instance-api', request.ip),
          ),
        ),
  );

  app.post(
    '/tenants/:tenant/domains/:domain/verify',
    {
      schema: {
        tags: ['instance'],
        params: tenantParams.extend({ domain: z.string().min(3).max(253) }),
        body: verifyDomainBody,
        response: { 200: z.object({ domain: z.string(), verified: z.boolean() }) },
      },
    },
    async (request) =>
      verifyDomain(services, request.params.tenant, request.params.domain, {
        force: request.body?.force ?? false,
        actor: operatorActor('instance-api', request.ip),
      }),
  );
}
