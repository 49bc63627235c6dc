import type { EntitySpec } from '../graph/odata/index.js';

/**
 * signIn (https://learn.microsoft.com/graph/api/resources/signin); newest first, like Graph. Filterable are the
 * properties Graph documents for the sign-in log that Foyer indexes (migrations/006_sign_ins.ts).
 */
export const signInEntity: EntitySpec = {
  table: 'sign_ins',
  keyColumn: 'id',
  tenantColumn: 'tenant_id',
  properties: {
    id: { column: 'id', type: 'guid', filterable: true },
    createdDateTime: { column: 'created_at', type: 'datetime', filterable: true },
    userId: { column: 'user_id', type: 'guid', filterable: true, nullable: true },
    userPrincipalName: {
      column: 'user_principal_name',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
      nullable: true,
    },
    userDisplayName: { column: 'user_display_name', type: 'string', nullable: true },
    appId: { column: 'app_id', type: 'guid', filterable: true, nullable: true },
    appDisplayName: { column: 'app_display_name', type: 'string', nullable: true },
    ipAddress: { column: 'ip_address', type: 'string' },
    clientAppUsed: { column: 'client_app_used', type: 'string', nullable: true },
    correlationId: { column: 'correlation_id', type: 'string' },
    // Computed or JSON-shaped properties: listed so $select accepts them; their column is never filtered or sorted.
    conditionalAccessStatus: { column: 'id', type: 'string' },
    isInteractive: { column: 'is_interactive', type: 'boolean' },
    status: { column: 'error_code', type: 'integer' },
    resourceTenantId: { column: 'tenant_id', type: 'guid' },
    homeTenantId: { column: 'home_tenant_id', type: 'guid', nullable: true },
    crossTenantAccessType: { column: 'cross_tenant_access_type', type: 'string' },
    incomingTokenType: { column: 'incoming_token_type', type: 'string' },
    authenticationMethodsUsed: { column: 'authentication_method', type: 'string' },
    authenticationDetails: { column: 'authentication_method', type: 'string' },
    authenticationRequirement: { column: 'authentication_requirement', type: 'string' },
    mfaDetail: { column: 'mfa_method', type: 'string', nullable: true },
    mfaSource: { column: 'mfa_source', type: 'string', nullable: true },
  },
  complexProperties: {
    status: { errorCode: { column: 'error_code', type: 'integer', filterable: true } },
  },
  searchable: [],
  orderable: ['createdDateTime'],
  defaultOrderBy: 'createdDateTime',
  defaultDirection: 'desc',
};
