import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { odataContext } from '../graph/response.js';
import { createProviderBody, patchProviderBody, providerIdParams, providerResource } from './schemas.js';
import {
  createIdentityProvider,
  deleteIdentityProvider,
  listIdentityProviders,
  readIdentityProvider,
  updateIdentityProvider,
} from './service.js';

const ENTITY_SET = 'identity/identityProviders';

/** /identity/identityProviders (https://learn.microsoft.com/graph/api/identitycontainer-list-identityproviders). */
export async function identityProviderRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { baseUrl } = services.config;
  const single = z.object({ '@odata.context': z.string() }).extend(providerResource.shape);

  app.get(
    '/identity/identityProviders',
    {
      schema: {
        tags: ['identityProviders'],
        response: { 200: z.object({ '@odata.context': z.string(), value: z.array(providerResource) }) },
      },
    },
    async (request) => ({
      '@odata.context': odataContext(baseUrl, ENTITY_SET),
      value: await listIdentityProviders(services, request.principal),
    }),
  );

  app.post(
    '/identity/identityProviders',
    { schema: { tags: ['identityProviders'], body: createProviderBody, response: { 201: single } } },
    async (request, reply) => {
      const created = await createIdentityProvider(services, request.principal, request.body, request.id);
      reply.header('location', `${baseUrl}/v1.0/${ENTITY_SET}/${created.id}`);
      return reply
        .status(201)
        .send({ '@odata.context': odataContext(baseUrl, ENTITY_SET, undefined, true), ...created });
    },
  );

  app.get(
    '/identity/identityProviders/:id',
    { schema: { tags: ['identityProviders'], params: providerIdParams, response: { 200: single } } },
    async (request) => ({
      '@odata.context': odataContext(baseUrl, ENTITY_SET, undefined, true),
      ...(await readIdentityProvider(services, request.principal, request.params.id)),
    }),
  );

  app.patch(
    '/identity/identityProviders/:id',
    { schema: { tags: ['identityProviders'], params: providerIdParams, body: patchProviderBody } },
    async (request, reply) => {
      await updateIdentityProvider(services, request.principal, request.params.id, request.body, request.id);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/identity/identityProviders/:id',
    { schema: { tags: ['identityProviders'], params: providerIdParams } },
    async (request, reply) => {
      await deleteIdentityProvider(services, request.principal, request.params.id, request.id);
      return reply.status(204).send();
    },
  );
}
