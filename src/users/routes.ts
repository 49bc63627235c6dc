import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../app/services.js';
import {
  collectionOf,
  collectionQuery,
  collectionResponse,
  entityOf,
  parseEntityQuery,
} from '../graph/collection.js';
import { parseQueryOptions } from '../graph/odata/index.js';
import { requirePermission } from '../graph/permissions.js';
import { odataContext, project } from '../graph/response.js';
import { groupEntity } from '../groups/entity.js';
import { groupResource } from '../groups/schemas.js';
import { listGroups } from '../groups/service.js';
import { userEntity } from './entity.js';
import {
  createUserBody,
  defaultUserProperties,
  updateUserBody,
  userIdParams,
  userResource,
} from './schemas.js';
import { createUser, getUserResource, listUsers, patchUser, removeUser, requireUser } from './service.js';

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
      requirePermission(request.principal, 'readUsers');
      const options = parseQueryOptions(request.query, userEntity);
      const page = await listUsers(services, request.principal.tenantId, options);
      return collectionResponse({
        baseUrl,
        entitySet: 'users',
        requestUrl: request.url,
        options,
        ...page,
        items: page.items.map((user) => project(user, options.select ?? defaultUserProperties)),
      });
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
      requirePermission(request.principal, 'writeUsers');
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
      requirePermission(request.principal, 'readUsers');
      const options = parseEntityQuery(request.query, userEntity);
      const user = await getUserResource(services, request.principal.tenantId, request.params.id);
      return {
        '@odata.context': odataContext(baseUrl, 'users', options.select, true),
        ...project(user, options.select ?? defaultUserProperties),
      };
    },
  );

  app.patch(
    '/users/:id',
    { schema: { tags: ['users'], params: userIdParams, body: updateUserBody } },
    async (request, reply) => {
      requirePermission(request.principal, 'writeUsers');
      await patchUser(services, request.principal, request.params.id, request.body);
      return reply.status(204).send();
    },
  );

  app.delete('/users/:id', { schema: { tags: ['users'], params: userIdParams } }, async (request, reply) => {
    requirePermission(request.principal, 'writeUsers');
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
      requirePermission(request.principal, 'readUsers');
      const options = parseQueryOptions(request.query, groupEntity);
      const user = await requireUser(services, request.principal.tenantId, request.params.id);
      const page = await listGroups(services, request.principal.tenantId, options, user.id);
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
