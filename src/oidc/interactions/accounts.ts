import type { Services } from '../../app/services.js';
import type { InvitationRow } from '../../invitations/store.js';
import { bindingOf, type HomeIdentity } from '../../sessions/identity.js';
import { findUser, type UserRow } from '../../users/store.js';

export type TenantAccount =
  /** A member of the tenant, or a guest bound to this identity (by redemption or added with it). */
  | { kind: 'user'; user: UserRow }
  /** A pending guest whose invited address this identity proved: just-in-time redemption (PRODUCT §4.3). */
  | { kind: 'jit'; user: UserRow; invitation: InvitationRow }
  | { kind: 'none' };

const lower = (value: string) => value.toLowerCase();

/** The guest bound to an identity entry, matched as the unique index does (case-insensitive). */
async function findBoundUser(services: Services, tenantId: string, issuer: string, issuerAssignedId: string) {
  const row = await services.db
    .selectFrom('user_identities')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb(eb.fn('lower', ['issuer']), '=', lower(issuer)))
    .where((eb) => eb(eb.fn('lower', ['issuer_assigned_id']), '=', lower(issuerAssignedId)))
    .executeTakeFirst();
  return row ? findUser(services.db, tenantId, row.user_id) : undefined;
}

/**
 * Who a signed-in person is in a tenant: its member account; else the guest bound to the identity; else a
 * guest added without invitation with the address as its `mail` identity (every identity here proves its
 * address); else a pending invitation to that address, redeemed just in time. JIT never creates anything.
 */
export async function accountInTenant(
  services: Services,
  tenantId: string,
  identity: HomeIdentity,
): Promise<TenantAccount> {
  if (identity.kind === 'member' && identity.tenantId === tenantId) {
    const user = await findUser(services.db, tenantId, identity.userId);
    return user ? { kind: 'user', user } : { kind: 'none' };
  }
  const binding = bindingOf(identity, services.config.baseUrl);
  // An address an identity provider did not verify proves nothing: only the issuer and sub count.
  const addressProven = identity.kind !== 'federated' || identity.emailVerified;
  const bound =
    (await findBoundUser(services, tenantId, binding.issuer, binding.issuerAssignedId)) ??
    (identity.kind === 'mail' || !addressProven
      ? undefined
      : await findBoundUser(services, tenantId, 'mail', identity.email));
  if (bound) return { kind: 'user', user: bound };
  if (!addressProven) return { kind: 'none' };

  const now = services.clock.now().toISOString();
  const invitation = await services.db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'PendingAcceptance')
    .where((eb) => eb(eb.fn('lower', ['invited_email']), '=', lower(identity.email)))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  if (!invitation) return { kind: 'none' };
  const user = await findUser(services.db, tenantId, invitation.user_id);
  return user ? { kind: 'jit', user, invitation } : { kind: 'none' };
}
