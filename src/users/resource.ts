import type { UserResource } from './schemas.js';
import type { IdentityRow, UserRow } from './store.js';

/**
 * Row → Graph user. Members sign in with their UPN, which Graph reports as a `userPrincipalName` identity
 * issued by the tenant's default domain; that identity is derived, not stored.
 */
export function toUserResource(row: UserRow, identities: IdentityRow[], defaultDomain: string): UserResource {
  const stored = identities.map((i) => ({
    signInType: i.sign_in_type,
    issuer: i.issuer,
    issuerAssignedId: i.issuer_assigned_id,
  }));
  const derived =
    row.user_type === 'Member'
      ? [
          {
            signInType: 'userPrincipalName',
            issuer: defaultDomain,
            issuerAssignedId: row.user_principal_name,
          },
        ]
      : [];
  return {
    id: row.id,
    displayName: row.display_name,
    givenName: row.given_name,
    surname: row.surname,
    jobTitle: row.job_title,
    mail: row.mail,
    otherMails: JSON.parse(row.other_mails) as string[],
    userPrincipalName: row.user_principal_name,
    userType: row.user_type,
    accountEnabled: row.account_enabled === 1,
    preferredLanguage: row.preferred_language,
    createdDateTime: row.created_at,
    creationType: row.creation_type,
    externalUserState: row.external_user_state,
    externalUserStateChangeDateTime: row.external_user_state_changed_at,
    identities: [...derived, ...stored],
    businessPhones: [],
    mobilePhone: null,
    officeLocation: null,
    mailNickname: row.mail_nickname,
  };
}
