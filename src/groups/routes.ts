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
import { userEntity } from '../users/entity.js';
import { defaultUserProperties, userResource } from '../users/schemas.js';
import { groupEntity } from './entity.js';
import {
  createGroupBody,
  groupIdParams,
  groupResource,
  memberParams,
  memberRefBody,
  updateGroupBody,
} from './schemas.js';
import {
  addGroupMember,
  createGroup,
  listGroupMembersFor,
  listGroupsFor,
  patchGroup,
  readGroupFor,
  removeGroup,
  removeGroupMember,
} from './service.js';

const single = entityOf(groupResource);
const member = userResource.partial().extend({ '@odata.type': z.string() });

export async function groupRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { baseUrl } = services.config;
  const allGroupProperties = Object.keys(groupResource.shape);

  app.get(
    '/groups',
    {
      schema: {
        tags: ['groups'],
        querystring: collectionQuery,
        response: { 200: collectionOf(groupResource.partial()) },
      },
    },
    async (request) => {
      const options = parseQueryOptions(request.query, groupEntity);
      const page = await listGroupsFor(services, request.principal, options);
      const items = page.items.map((g) => project(g, options.select ?? allGroupProperties));
      return collectionResponse({
        baseUrl,
        entitySet: 'groups',
        requestUrl: request.url,
        options,
        ...page,
        items,
      });
    },
  );

  app.post(
    '/groups',
    { schema: { tags: ['groups'], body: createGroupBody, response: { 201: single } } },
    async (request, reply) => {
      const group = await createGroup(services, request.principal, request.body);
      reply.header('location', `${baseUrl}/v1.0/groups/${group.id}`);
      return reply
        .status(201)
        .send({ '@odata.context': odataContext(baseUrl, 'groups', undefined, true), ...group });
    },
  );

  app.get(
    '/groups/:id',
    {
      schema: {
        tags: ['groups'],
        params: groupIdParams,
        querystring: collectionQuery.pick({ $select: true }),
        response: { 200: single },
      },
    },
    async (request) => {
      const options = parseEntityQuery(request.query, groupEntity);
      const group = await readGroupFor(services, request.principal, request.params.id);
      return {
        '@odata.context': odataContext(baseUrl, 'groups', options.select, true),
        ...project(group, options.select ?? allGroupProperties),
      };
    },
  );

  app.patch(
    '/groups/:id',
    { schema: { tags: ['groups'], params: groupIdParams, body: updateGroupBody } },
    async (request, reply) => {
      await patchGroup(services, request.principal, request.params.id, request.body);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/groups/:id',
    { schema: { tags: ['groups'], params: groupIdParams } },
    async (request, reply) => {
      await removeGroup(services, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/groups/:id/members',
    {
      schema: {
        tags: ['groups'],
        params: groupIdParams,
        querystring: collectionQuery,
        response: { 200: collectionOf(member) },
      },
    },
    async (request) => {
      const options = parseQueryOptions(request.query, userEntity);
      const page = await listGroupMembersFor(
        services,
        request.principal,
        request.params.id,
        options,
        defaultUserProperties,
      );
      const items = page.items.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...u }));
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

  app.post(
    '/groups/:id/members/$ref',
    { schema: { tags: ['groups'], params: groupIdParams, body: memberRefBody } },
    async (request, reply) => {
      await addGroupMember(services, request.principal, request.params.id, request.body['@odata.id']);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/groups/:id/members/:memberId/$ref',
    { schema: { tags: ['groups'], params: memberParams } },
    async (request, reply) => {
      await removeGroupMember(services, request.principal, request.params.id, request.params.memberId);
      return reply.status(204).send();
    },
  );
}
