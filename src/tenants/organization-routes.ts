import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { authorize } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import { odataContext } from '../graph/response.js';
import { findTenantById, listDomains } from './store.js';

const organization = z.object({
  id: z.string(),
  displayName: z.string(),
  createdDateTime: z.string(),
  preferredLanguage: z.string(),
  tenantType: z.string(),
  privacyProfile: z
    .object({ contactEmail: z.string().nullable(), statementUrl: z.string().nullable() })
    .nullable(),
  verifiedDomains: z.array(
    z.object({
      capabilities: z.string(),
      isDefault: z.boolean(),
      isInitial: z.boolean(),
      name: z.string(),
      type: z.string(),
    }),
  ),
});

/** GET /organization (https://learn.microsoft.com/graph/api/organization-list): a collection of one. */
export async function organizationRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/organization',
    {
      schema: {
        tags: ['organization'],
        response: { 200: z.object({ '@odata.context': z.string(), value: z.array(organization) }) },
      },
    },
    async (request) => readOrganization(services, request.principal),
  );
}

/** The caller's own tenant as Graph's organization collection (User.Read is enough for people). */
async function readOrganization(services: Services, principal: Principal) {
  authorize(principal, 'readOrganization');
  const tenant = await findTenantById(services.db, principal.tenantId);
  if (!tenant) throw new FoyerError('notFound', 'The organization no longer exists.');
  const domains = await listDomains(services.db, tenant.id);
  return {
    '@odata.context': odataContext(services.config.baseUrl, 'organization'),
    value: [
      {
        id: tenant.id,
        displayName: tenant.display_name,
        createdDateTime: tenant.created_at,
        preferredLanguage: tenant.default_language,
        tenantType: 'AAD',
        privacyProfile: tenant.privacy_statement_url
          ? { contactEmail: null, statementUrl: tenant.privacy_statement_url }
          : null,
        verifiedDomains: domains
          .filter((d) => d.verified === 1)
          .map((d) => ({
            capabilities: 'Email, OfficeCommunicationsOnline',
            isDefault: d.domain === tenant.default_domain,
            isInitial: d.domain === tenant.default_domain,
            name: d.domain,
            type: 'Managed',
          })),
      },
    ],
  };
}
