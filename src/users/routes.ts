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
import { groupEntity } from '../groups/entity.js';
import { groupResource } from '../groups/schemas.js';
import { userEntity } from './entity.js';
import { listMemberOfFor, listUsersFor, readMe, readUserFor } from './reads.js';
import {
  createUserBody,
  defaultUserProperties,
  updateUserBody,
  userIdParams,
  userResource,
} from './schemas.js';
import { createUser, getUserResource, patchUser, removeUser, revokeSignInSessions } from './service.js';

const selectQuery = collectionQuery.pick({ $select: true });
const partialUser = userResource.partial();

export async function userRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { baseUrl } = services.config;

  app.get(
    '/users',
    {
      schema: { tags: ['users'], querystring: collectionQuery, response: { 200: collectionOf(partialUser) } },
    },
    async (request) => {
      const options = parseQueryOptions(request.query, userEntity);
      const page = await listUsersFor(services, request.principal, options);
      return collectionResponse({ baseUrl, entitySet: 'users', requestUrl: request.url, options, ...page });
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        body: createUserBody,
        response: { 201: entityOf(userResource) },
      },
    },
    async (request, reply) => {
      const created = await createUser(services, request.principal, request.body);
      const user = await getUserResource(services, request.principal.tenantId, created.id);
      reply.header('location', `${baseUrl}/v1.0/users/${created.id}`);
      return reply.status(201).send({
        '@odata.context': odataContext(baseUrl, 'users', undefined, true),
        ...project(user, defaultUserProperties),
      });
    },
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        params: userIdParams,
        querystring: selectQuery,
        response: { 200: entityOf(userResource) },
      },
    },
    async (request) => {
      const options = parseEntityQuery(request.query, userEntity);
      const { user } = await readUserFor(services, request.principal, request.params.id, options.select);
      return { '@odata.context': odataContext(baseUrl, 'users', options.select, true), ...user };
    },
  );

  // Graph's GET /me: the signed-in user of a delegated token, with the same $select as GET /users/{id}.
  app.get(
    '/me',
    { schema: { tags: ['users'], querystring: selectQuery, response: { 200: entityOf(userResource) } } },
    async (request) => {
      const options = parseEntityQuery(request.query, userEntity);
      const user = await readMe(services, request.principal, options.select);
      return { '@odata.context': odataContext(baseUrl, 'users', options.select, true), ...user };
    },
  );

  app.patch(
    '/users/:id',
    { schema: { tags: ['users'], params: userIdParams, body: updateUserBody } },
    async (request, reply) => {
      await patchUser(services, request.principal, request.params.id, request.body);
      return reply.status(204).send();
    },
  );

  app.post(
    '/users/:id/revokeSignInSessions',
    {
      schema: {
        tags: ['users'],
        params: userIdParams,
        response: { 200: z.object({ '@odata.context': z.string(), value: z.boolean() }) },
      },
    },
    async (request) => {
      await revokeSignInSessions(services, request.principal, request.params.id);
      return { '@odata.context': `${baseUrl}/v1.0/$metadata#Edm.Boolean`, value: true };
    },
  );

  app.delete('/users/:id', { schema: { tags: ['users'], params: userIdParams } }, async (request, reply) => {
    await removeUser(services, request.principal, request.params.id);
    return reply.status(204).send();
  });

  app.get(
    '/users/:id/memberOf',
    {
      schema: {
        tags: ['users'],
        params: userIdParams,
        querystring: collectionQuery,
        response: {
          200: collectionOf(groupResource.partial().extend({ '@odata.type': z.string() })),
        },
      },
    },
    async (request) => {
      const options = parseQueryOptions(request.query, groupEntity);
      const page = await listMemberOfFor(services, request.principal, request.params.id, options);
      const items = page.items.map((g) => ({
        '@odata.type': '#microsoft.graph.group',
        ...project(g, options.select ?? Object.keys(groupResource.shape)),
      }));
      return collectionResponse({
        baseUrl,
        entitySet: 'directoryObjects',
        requestUrl: request.url,
        options,
        ...page,
        items,
      });
    },
  );
}
