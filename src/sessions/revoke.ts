import type { Services } from '../app/services.js';
import { bindingOf, type HomeIdentity } from './identity.js';
import { endSessionsOf } from './service.js';

/**
 * Ends everything a home identity signed in to: its browser sessions, and — through Graph's
 * signInSessionsValidFromDateTime on every user object it stands for (the member itself, and each guest bound
 * to it in other tenants) — the OIDC sessions and refresh tokens issued before now (src/oidc/account.ts).
 */
export async function revokeIdentityEverywhere(services: Services, identity: HomeIdentity): Promise<void> {
  const now = services.clock.now().toISOString();
  const binding = bindingOf(identity, services.config.baseUrl);
  await services.db
    .updateTable('users')
    .set({ sign_in_sessions_valid_from: now })
    .where(({ eb, exists, selectFrom, and, or }) => {
      const bound = exists(
        selectFrom('user_identities as i')
          .select('i.user_id')
          .whereRef('i.tenant_id', '=', 'users.tenant_id')
          .whereRef('i.user_id', '=', 'users.id')
          .where((inner) => inner(inner.fn('lower', ['i.issuer']), '=', binding.issuer.toLowerCase()))
          .where((inner) =>
            inner(inner.fn('lower', ['i.issuer_assigned_id']), '=', binding.issuerAssignedId.toLowerCase()),
          ),
      );
      if (identity.kind !== 'member') return bound;
      return or([and([eb('tenant_id', '=', identity.tenantId), eb('id', '=', identity.userId)]), bound]);
    })
    .execute();
  await endSessionsOf(services, identity);
}

/** One user object's sessions and refresh tokens (revokeSignInSessions, a disabled account, a reset redemption). */
export async function revokeUserSessions(
  services: Services,
  tenantId: string,
  userId: string,
): Promise<void> {
  await services.db
    .updateTable('users')
    .set({ sign_in_sessions_valid_from: services.clock.now().toISOString() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .execute();
}
