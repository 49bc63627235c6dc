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
import { signInEntity } from './entity.js';
import { signInResource } from './schemas.js';
import { getSignIn, listSignIns } from './service.js';

const ENTITY_SET = 'auditLogs/signIns';
const signInIdParams = z.object({ id: z.uuid({ message: 'must be a sign-in id' }) });

/** GET /auditLogs/signIns and /auditLogs/signIns/{id}, in Graph's signIn shape. */
export async function signInRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { baseUrl } = services.config;
  const allProperties = Object.keys(signInResource.shape);

  app.get(
    '/auditLogs/signIns',
    {
      schema: {
        tags: ['auditLogs'],
        querystring: collectionQuery,
        response: { 200: collectionOf(signInResource.partial()) },
      },
    },
    async (request) => {
      const options = parseQueryOptions(request.query, signInEntity);
      const page = await listSignIns(services, request.principal, options);
      return collectionResponse({
        baseUrl,
        entitySet: ENTITY_SET,
        requestUrl: request.url,
        options,
        nextSkipToken: page.nextSkipToken,
        count: page.count,
        items: page.items.map((signIn) => project(signIn, options.select ?? allProperties)),
      });
    },
  );

  app.get(
    '/auditLogs/signIns/:id',
    {
      schema: {
        tags: ['auditLogs'],
        params: signInIdParams,
        querystring: collectionQuery.pick({ $select: true }),
        response: { 200: entityOf(signInResource) },
      },
    },
    async (request) => {
      const options = parseEntityQuery(request.query, signInEntity);
      const signIn = await getSignIn(services, request.principal, request.params.id);
      return {
        '@odata.context': odataContext(baseUrl, ENTITY_SET, options.select, true),
        ...project(signIn, options.select ?? allProperties),
      };
    },
  );
}
