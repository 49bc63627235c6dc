import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { odataContext } from '../graph/response.js';
import { createPartnerBody, partnerResource, partnerTenantParams, updatePartnerBody } from './schemas.js';
import {
  createPartnerFor,
  deletePartnerFor,
  getPartnerFor,
  listPartnersFor,
  updatePartnerFor,
} from './service.js';

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';
const withContext = partnerResource.extend({ '@odata.context': z.string() });

/** /policies/crossTenantAccessPolicy/partners (Graph v1.0): inbound trust of partner tenants' MFA. */
export async function crossTenantRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const context = (single: boolean) =>
    odataContext(services.config.baseUrl, PARTNERS.slice(1), undefined, single);
  const tags = ['policies'];

  app.get(
    PARTNERS,
    {
      schema: {
        tags,
        summary: 'List cross-tenant access partners',
        response: { 200: z.object({ '@odata.context': z.string(), value: z.array(partnerResource) }) },
      },
    },
    async (request) => ({
      '@odata.context': context(false),
      value: await listPartnersFor(services, request.principal),
    }),
  );

  app.post(
    PARTNERS,
    {
      schema: {
        tags,
        summary: 'Add a cross-tenant access partner',
        body: createPartnerBody,
        response: { 201: withContext },
      },
    },
    async (request, reply) => {
      const created = await createPartnerFor(services, request.principal, request.body, request.id);
      return reply.status(201).send({ '@odata.context': context(true), ...created });
    },
  );

  app.get(
    `${PARTNERS}/:tenantId`,
    {
      schema: {
        tags,
        summary: 'Get a cross-tenant access partner',
        params: partnerTenantParams,
        response: { 200: withContext },
      },
    },
    async (request) => ({
      '@odata.context': context(true),
      ...(await getPartnerFor(services, request.principal, request.params.tenantId)),
    }),
  );

  app.patch(
    `${PARTNERS}/:tenantId`,
    {
      schema: {
        tags,
        summary: 'Update a cross-tenant access partner',
        params: partnerTenantParams,
        body: updatePartnerBody,
      },
    },
    async (request, reply) => {
      await updatePartnerFor(services, request.principal, request.params.tenantId, request.body, request.id);
      return reply.status(204).send();
    },
  );

  app.delete(
    `${PARTNERS}/:tenantId`,
    { schema: { tags, summary: 'Delete a cross-tenant access partner', params: partnerTenantParams } },
    async (request, reply) => {
      await deletePartnerFor(services, request.principal, request.params.tenantId, request.id);
      return reply.status(204).send();
    },
  );
}
