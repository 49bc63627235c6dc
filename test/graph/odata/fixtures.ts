import type { EntitySpec } from '../../../src/graph/odata/index.js';

/** A users descriptor shaped like the real one: enough properties to exercise every rule. */
export const usersEntity: EntitySpec = {
  table: 'users',
  keyColumn: 'id',
  tenantColumn: 'tenant_id',
  properties: {
    id: { column: 'id', type: 'guid', filterable: true },
    displayName: {
      column: 'display_name',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
      nullable: true,
    },
    mail: { column: 'mail', type: 'string', filterable: true, caseInsensitive: true, nullable: true },
    userPrincipalName: {
      column: 'user_principal_name',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
    },
    userType: { column: 'user_type', type: 'string', filterable: true, enumValues: ['Member', 'Guest'] },
    accountEnabled: { column: 'account_enabled', type: 'boolean', filterable: true },
    externalUserState: {
      column: 'external_user_state',
      type: 'string',
      filterable: true,
      nullable: true,
      enumValues: ['PendingAcceptance', 'Accepted'],
    },
    creationType: { column: 'creation_type', type: 'string', filterable: true, nullable: true },
    createdDateTime: { column: 'created_at', type: 'datetime', filterable: true },
    jobTitle: { column: 'job_title', type: 'string', nullable: true },
  },
  collections: {
    identities: {
      table: 'user_identities',
      foreignKey: 'user_id',
      tenantColumn: 'tenant_id',
      properties: {
        issuer: { column: 'issuer', type: 'string', filterable: true, caseInsensitive: true },
        issuerAssignedId: { column: 'issuer_assigned_id', type: 'string', filterable: true, nullable: true },
        signInType: { column: 'sign_in_type', type: 'string' },
      },
    },
  },
  searchable: ['displayName', 'mail'],
  orderable: ['displayName', 'createdDateTime'],
  defaultOrderBy: 'displayName',
};

/** A log-shaped descriptor: a complex property reachable by path (status/errorCode) and a nullable dateTime. */
export const eventsEntity: EntitySpec = {
  table: 'events',
  keyColumn: 'id',
  tenantColumn: 'tenant_id',
  properties: {
    id: { column: 'id', type: 'guid', filterable: true },
    createdDateTime: { column: 'created_at', type: 'datetime', filterable: true },
    reviewedDateTime: { column: 'reviewed_at', type: 'datetime', filterable: true, nullable: true },
    archivedDateTime: { column: 'archived_at', type: 'datetime' },
    status: { column: 'error_code', type: 'string' },
  },
  complexProperties: {
    status: {
      errorCode: { column: 'error_code', type: 'integer', filterable: true },
      failureReason: { column: 'failure_reason', type: 'string' },
    },
  },
  searchable: [],
  orderable: ['createdDateTime'],
  defaultOrderBy: 'createdDateTime',
  defaultDirection: 'desc',
};
