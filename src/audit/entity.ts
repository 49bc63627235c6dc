import type { EntitySpec } from '../graph/odata/index.js';

/** directoryAudit (https://learn.microsoft.com/graph/api/resources/directoryaudit); newest first by default. */
export const directoryAuditEntity: EntitySpec = {
  table: 'audit_logs',
  keyColumn: 'id',
  tenantColumn: 'tenant_id',
  properties: {
    id: { column: 'id', type: 'guid', filterable: true },
    activityDateTime: { column: 'activity_date_time', type: 'datetime', filterable: true },
    activityDisplayName: {
      column: 'activity_display_name',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
    },
    category: { column: 'category', type: 'string', filterable: true },
    correlationId: { column: 'correlation_id', type: 'guid', filterable: true },
    loggedByService: { column: 'logged_by_service', type: 'string', filterable: true },
    operationType: { column: 'operation_type', type: 'string', filterable: true },
    result: {
      column: 'result',
      type: 'string',
      filterable: true,
      enumValues: ['success', 'failure', 'timeout', 'unknownFutureValue'],
    },
    resultReason: { column: 'result_reason', type: 'string' },
    initiatedBy: { column: 'initiated_by', type: 'string' },
    targetResources: { column: 'target_resources', type: 'string' },
    additionalDetails: { column: 'additional_details', type: 'string' },
  },
  searchable: ['activityDisplayName'],
  orderable: ['activityDateTime'],
  defaultOrderBy: 'activityDateTime',
  defaultDirection: 'desc',
};
