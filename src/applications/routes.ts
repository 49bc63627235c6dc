import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import {
  collectionOf,
  collectionQuery,
  collectionResponse,
  entityOf,
  parseEntityQuery,
} from '../graph/collection.js';
import { parseQueryOptions } from '../graph/odata/index.js';
import { odataContext, project } from '../graph/response.js';
import { applicationEntity } from './entity.js';
import {
  addPasswordBody,
  applicationIdParams,
  applicationResource,
  createApplicationBody,
  grantedPermissionParams,
  grantPermissionsBody,
  passwordCredential,
  removePasswordBody,
} from './schemas.js';
import {
  addApplicationPassword,
  createApplication,
  grantApplicationPermissions,
  listApplications,
  readApplication,
  removeApplication,
  removeApplicationPassword,
  revokeApplicationPermission,
} from './service.js';

const single = entityOf(applicationResource);

export async function applicationRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { baseUrl } = services.config;

  app.get(
    '/applications',
    {
      schema: {
        tags: ['applications'],
        querystring: collectionQuery,
        response: { 200: collectionOf(applicationResource.partial()) },
      },
    },
    async (request) => {
      const options = parseQueryOptions(request.query, applicationEntity);
      const page = await listApplications(services, request.principal, options);
      const items = options.select ? page.items.map((a) => project(a, options.select!)) : page.items;
      return collectionResponse({
        baseUrl,
        entitySet: 'applications',
        requestUrl: request.url,
        options,
        ...page,
        items,
      });
    },
  );

  app.post(
    '/applications',
    { schema: { tags: ['applications'], body: createApplicationBody, response: { 201: single } } },
    async (request, reply) => {
      const created = await createApplication(services, request.principal, request.body);
      reply.header('location', `${baseUrl}/v1.0/applications/${created.id}`);
      return reply
        .status(201)
        .send({ '@odata.context': odataContext(baseUrl, 'applications', undefined, true), ...created });
    },
  );

  app.get(
    '/applications/:id',
    {
      schema: {
        tags: ['applications'],
        params: applicationIdParams,
        querystring: collectionQuery.pick({ $select: true }),
        response: { 200: single },
      },
    },
    async (request) => {
      const options = parseEntityQuery(request.query, applicationEntity);
      const application = await readApplication(services, request.principal, request.params.id);
      return {
        '@odata.context': odataContext(baseUrl, 'applications', options.select, true),
        ...(options.select ? project(application, options.select) : application),
      };
    },
  );

  app.post(
    '/applications/:id/addPassword',
    {
      schema: {
        tags: ['applications'],
        params: applicationIdParams,
        body: addPasswordBody,
        response: { 200: passwordCredential.extend({ '@odata.context': z.string() }) },
      },
    },
    async (request) => {
      const credential = await addApplicationPassword(
        services,
        request.principal,
        request.params.id,
        request.body.passwordCredential ?? {},
      );
      return {
        '@odata.context': `${baseUrl}/v1.0/$metadata#microsoft.graph.passwordCredential`,
        ...credential,
      };
    },
  );

  // Foyer extension: granting directory permissions needs Directory.ReadWrite.All, as granting app roles does,
  // and only what the caller itself holds (src/auth/guards.ts).
  app.post(
    '/applications/:id/grantedPermissions',
    {
      schema: {
        tags: ['applications'],
        params: applicationIdParams,
        body: grantPermissionsBody,
        response: { 200: single },
      },
    },
    async (request) => {
      const application = await grantApplicationPermissions(
        services,
        request.principal,
        request.params.id,
        request.body.permissions,
      );
      return { '@odata.context': odataContext(baseUrl, 'applications', undefined, true), ...application };
    },
  );

  app.delete(
    '/applications/:id',
    { schema: { tags: ['applications'], params: applicationIdParams } },
    async (request, reply) => {
      await removeApplication(services, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/applications/:id/removePassword',
    { schema: { tags: ['applications'], params: applicationIdParams, body: removePasswordBody } },
    async (request, reply) => {
      await removeApplicationPassword(services, request.principal, request.params.id, request.body.keyId);
      return reply.status(204).send();
    },
  );

  // Foyer extension: the way back from POST grantedPermissions.
  app.delete(
    '/applications/:id/grantedPermissions/:permission',
    { schema: { tags: ['applications'], params: grantedPermissionParams } },
    async (request, reply) => {
      await revokeApplicationPermission(
        services,
        request.principal,
        request.params.id,
        request.params.permission,
      );
      return reply.status(204).send();
    },
  );
}
