import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Selectable } from 'kysely';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { authorize } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import type { AuditLogsTable } from '../db/schema.js';
import { collectionOf, collectionQuery, collectionResponse, queryPage } from '../graph/collection.js';
import { parseQueryOptions, type QueryOptions } from '../graph/odata/index.js';
import { project } from '../graph/response.js';
import { directoryAuditEntity } from './entity.js';

const directoryAudit = z.object({
  id: z.string(),
  activityDateTime: z.string(),
  activityDisplayName: z.string(),
  category: z.string(),
  correlationId: z.string(),
  loggedByService: z.string(),
  operationType: z.string(),
  result: z.string(),
  resultReason: z.string(),
  initiatedBy: z.unknown(),
  targetResources: z.array(z.unknown()),
  additionalDetails: z.array(z.object({ key: z.string(), value: z.string() })),
});

const toDirectoryAudit = (row: Selectable<AuditLogsTable>): z.infer<typeof directoryAudit> => ({
  id: row.id,
  activityDateTime: row.activity_date_time,
  activityDisplayName: row.activity_display_name,
  category: row.category,
  correlationId: row.correlation_id,
  loggedByService: row.logged_by_service,
  operationType: row.operation_type,
  result: row.result,
  resultReason: row.result_reason,
  initiatedBy: JSON.parse(row.initiated_by),
  targetResources: JSON.parse(row.target_resources),
  additionalDetails: JSON.parse(row.additional_details),
});

export async function auditRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { config } = services;
  app.get(
    '/auditLogs/directoryAudits',
    {
      schema: {
        tags: ['auditLogs'],
        querystring: collectionQuery,
        response: { 200: collectionOf(directoryAudit.partial()) },
      },
    },
    async (request) => {
      const options = parseQueryOptions(request.query, directoryAuditEntity);
      const page = await listDirectoryAudits(services, request.principal, options);
      const items = page.items.map((audit) => (options.select ? project(audit, options.select) : audit));
      return collectionResponse({
        baseUrl: config.baseUrl,
        entitySet: 'auditLogs/directoryAudits',
        requestUrl: request.url,
        options,
        nextSkipToken: page.nextSkipToken,
        count: page.count,
        items,
      });
    },
  );
}

/** AuditLog.Read.All for applications; User and Global Administrators for people. */
export async function listDirectoryAudits(services: Services, principal: Principal, options: QueryOptions) {
  authorize(principal, 'readAuditLogs');
  const page = await queryPage(
    () => services.db.selectFrom('audit_logs'),
    principal.tenantId,
    options,
    directoryAuditEntity,
  );
  return { ...page, items: page.items.map(toDirectoryAudit) };
}
