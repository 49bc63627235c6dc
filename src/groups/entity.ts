import type { EntitySpec } from '../graph/odata/index.js';

export const groupEntity: EntitySpec = {
  table: 'groups',
  keyColumn: 'id',
  tenantColumn: 'tenant_id',
  properties: {
    id: { column: 'id', type: 'guid', filterable: true },
    displayName: { column: 'display_name', type: 'string', filterable: true, caseInsensitive: true },
    description: {
      column: 'description',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
      nullable: true,
    },
    mailNickname: { column: 'mail_nickname', type: 'string', filterable: true, caseInsensitive: true },
    createdDateTime: { column: 'created_at', type: 'datetime', filterable: true },
    mailEnabled: { column: 'id', type: 'boolean' },
    securityEnabled: { column: 'id', type: 'boolean' },
    groupTypes: { column: 'id', type: 'string' },
    mail: { column: 'id', type: 'string' },
    visibility: { column: 'id', type: 'string' },
  },
  searchable: ['displayName', 'description', 'mailNickname'],
  orderable: ['displayName', 'createdDateTime'],
  defaultOrderBy: 'displayName',
};
