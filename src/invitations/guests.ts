import type { Services } from '../app/services.js';
import type { TenantRow } from '../tenants/store.js';
import type { UserRow } from '../users/store.js';
import { graphStatus } from './lifecycle.js';
import type { InvitationBody, InvitationResource, MessageInfo } from './schemas.js';
import type { InvitationRow } from './store.js';

/**
 * A guest's UPN (PRODUCT §1): the invited address with '@' replaced by '_', then '#EXT#@' and the tenant's
 * default domain — ada@fabrikam.com → ada_fabrikam.com#EXT#@contoso.foyer.localhost.
 */
export function guestUserPrincipalName(email: string, defaultDomain: string, suffix = ''): string {
  return `${email.replace('@', '_')}${suffix}#EXT#@${defaultDomain}`;
}

/** The user object an invitation creates: PendingAcceptance until redeemed, creationType Invitation. */
export function newGuestRow(
  context: { services: Services; tenant: TenantRow; body: InvitationBody; now: string },
  email: string,
  userPrincipalName: string,
): UserRow {
  const { services, tenant, body, now } = context;
  const localPart = email.slice(0, email.lastIndexOf('@'));
  return {
    tenant_id: tenant.id,
    id: services.ids.objectId(),
    display_name: body.invitedUserDisplayName ?? localPart,
    given_name: null,
    surname: null,
    job_title: null,
    consented_at: null,
    sign_in_sessions_valid_from: null,
    mail: email,
    other_mails: JSON.stringify([email]),
    user_principal_name: userPrincipalName,
    mail_nickname: `${email.replace('@', '_')}#EXT#`,
    user_type: body.invitedUserType,
    account_enabled: 1,
    preferred_language: null,
    created_at: now,
    creation_type: 'Invitation',
    external_user_state: 'PendingAcceptance',
    external_user_state_changed_at: now,
    password_hash: null,
  };
}

/** The Graph invitation resource for a row and the redeem URL just minted for it. */
export function toInvitationResource(
  services: Services,
  invitation: InvitationRow,
  user: Pick<UserRow, 'id' | 'display_name'>,
  redeemUrl: string,
  resetRedemption: boolean,
): InvitationResource {
  return {
    '@odata.context': `${services.config.baseUrl}/v1.0/$metadata#invitations/$entity`,
    id: invitation.id,
    inviteRedeemUrl: redeemUrl,
    invitedUserDisplayName: invitation.invited_display_name ?? user.display_name,
    invitedUserEmailAddress: invitation.invited_email,
    invitedUserType: invitation.invited_user_type,
    inviteRedirectUrl: invitation.invite_redirect_url,
    sendInvitationMessage: invitation.send_invitation_message === 1,
    invitedUserMessageInfo: JSON.parse(invitation.message_info) as MessageInfo,
    resetRedemption,
    status: graphStatus(invitation.status),
    invitedUser: { id: user.id },
  };
}
