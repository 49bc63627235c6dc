import type { EntitySpec } from '../graph/odata/index.js';

/**
 * How Graph user properties map to SQL for OData. Filterable properties are the indexed ones Graph allows
 * (https://learn.microsoft.com/graph/aad-advanced-queries). Properties without a column of their own
 * (identities, otherMails, phones) are selectable only.
 */
export const userEntity: EntitySpec = {
  table: 'users',
  keyColumn: 'id',
  tenantColumn: 'tenant_id',
  properties: {
    id: { column: 'id', type: 'guid', filterable: true },
    displayName: { column: 'display_name', type: 'string', filterable: true, caseInsensitive: true },
    givenName: {
      column: 'given_name',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
      nullable: true,
    },
    surname: { column: 'surname', type: 'string', filterable: true, caseInsensitive: true, nullable: true },
    jobTitle: {
      column: 'job_title',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
      nullable: true,
    },
    mail: { column: 'mail', type: 'string', filterable: true, caseInsensitive: true, nullable: true },
    mailNickname: { column: 'mail_nickname', type: 'string', filterable: true, caseInsensitive: true },
    userPrincipalName: {
      column: 'user_principal_name',
      type: 'string',
      filterable: true,
      caseInsensitive: true,
    },
    userType: { column: 'user_type', type: 'string', filterable: true, enumValues: ['Member', 'Guest'] },
    accountEnabled: { column: 'account_enabled', type: 'boolean', filterable: true },
    preferredLanguage: { column: 'preferred_language', type: 'string', filterable: true, nullable: true },
    createdDateTime: { column: 'created_at', type: 'datetime', filterable: true },
    creationType: {
      column: 'creation_type',
      type: 'string',
      filterable: true,
      nullable: true,
      enumValues: ['Invitation', 'EmailVerified', 'LocalAccount', 'SelfServiceSignUp'],
    },
    externalUserState: {
      column: 'external_user_state',
      type: 'string',
      filterable: true,
      nullable: true,
      enumValues: ['PendingAcceptance', 'Accepted'],
    },
    externalUserStateChangeDateTime: {
      column: 'external_user_state_changed_at',
      type: 'datetime',
      nullable: true,
    },
    otherMails: { column: 'other_mails', type: 'string' },
    identities: { column: 'id', type: 'string' },
    businessPhones: { column: 'id', type: 'string' },
    mobilePhone: { column: 'id', type: 'string' },
    officeLocation: { column: 'id', type: 'string' },
  },
  collections: {
    identities: {
      table: 'user_identities',
      foreignKey: 'user_id',
      tenantColumn: 'tenant_id',
      properties: {
        issuer: { column: 'issuer', type: 'string', filterable: true, caseInsensitive: true },
        issuerAssignedId: {
          column: 'issuer_assigned_id',
          type: 'string',
          filterable: true,
          caseInsensitive: true,
        },
        signInType: { column: 'sign_in_type', type: 'string', filterable: true },
      },
    },
  },
  searchable: ['displayName', 'mail', 'userPrincipalName', 'givenName', 'surname'],
  orderable: ['displayName', 'userPrincipalName', 'createdDateTime'],
  defaultOrderBy: 'displayName',
};
