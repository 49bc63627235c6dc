import type { EntitySpec } from '../graph/odata/index.js';

export const applicationEntity: EntitySpec = {
  table: 'applications',
  keyColumn: 'id',
  tenantColumn: 'tenant_id',
  properties: {
    id: { column: 'id', type: 'guid', filterable: true },
    appId: { column: 'app_id', type: 'guid', filterable: true },
    displayName: { column: 'display_name', type: 'string', filterable: true, caseInsensitive: true },
    signInAudience: { column: 'sign_in_audience', type: 'string', filterable: true },
    createdDateTime: { column: 'created_at', type: 'datetime', filterable: true },
    web: { column: 'web_redirect_uris', type: 'string' },
    spa: { column: 'spa_redirect_uris', type: 'string' },
    publicClient: { column: 'public_client_redirect_uris', type: 'string' },
    appRoles: { column: 'app_roles', type: 'string' },
    passwordCredentials: { column: 'id', type: 'string' },
    grantedPermissions: { column: 'id', type: 'string' },
  },
  searchable: ['displayName'],
  orderable: ['displayName', 'createdDateTime'],
  defaultOrderBy: 'displayName',
};
