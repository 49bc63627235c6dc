import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { userIdParams } from '../users/schemas.js';
import {
  deleteSoftwareOathMethod,
  getSoftwareOathMethod,
  listSoftwareOathMethods,
  SOFTWARE_OATH_TYPE,
} from './methods.js';

const METHODS = '/users/:id/authentication/softwareOathMethods';
const methodParams = userIdParams.extend({ methodId: z.string().min(1).max(64) });
const methodResource = z.object({
  '@odata.type': z.literal(SOFTWARE_OATH_TYPE),
  id: z.string(),
  secretKey: z.null(),
});

/** Graph's softwareOathMethods of a user: list, get, and delete (the administrator's MFA reset). */
export async function mfaMethodRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];
  const context = (userId: string, single: boolean) =>
    `${services.config.baseUrl}/v1.0/$metadata#users('${userId}')/authentication/softwareOathMethods${single ? '/$entity' : ''}`;

  app.get(
    METHODS,
    {
      schema: {
        tags,
        summary: "List a user's software OATH (TOTP) methods",
        params: userIdParams,
        response: { 200: z.object({ '@odata.context': z.string(), value: z.array(methodResource) }) },
      },
    },
    async (request) => {
      const { user, value } = await listSoftwareOathMethods(services, request.principal, request.params.id);
      return { '@odata.context': context(user.id, false), value };
    },
  );

  app.get(
    `${METHODS}/:methodId`,
    {
      schema: {
        tags,
        summary: "Get a user's software OATH (TOTP) method",
        params: methodParams,
        response: { 200: methodResource.extend({ '@odata.context': z.string() }) },
      },
    },
    async (request) => {
      const { user, method } = await getSoftwareOathMethod(
        services,
        request.principal,
        request.params.id,
        request.params.methodId,
      );
      return { '@odata.context': context(user.id, true), ...method };
    },
  );

  app.delete(
    `${METHODS}/:methodId`,
    { schema: { tags, summary: "Delete a user's software OATH method (MFA reset)", params: methodParams } },
    async (request, reply) => {
      await deleteSoftwareOathMethod(
        services,
        request.principal,
        request.params.id,
        request.params.methodId,
        request.id,
      );
      return reply.status(204).send();
    },
  );
}
