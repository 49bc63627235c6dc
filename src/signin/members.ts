import type { Executor } from '../db/executor.js';
import { findTenantByRef } from '../tenants/store.js';

/**
 * The member account an address names, in whichever tenant of this instance verified the address's domain
 * (default domains included): its userPrincipalName or its mail (PRODUCT §4.3 step 1). Guests are never home
 * accounts. Two indexed lookups: the domain, then the user within that tenant.
 */
export async function findMemberByEmail(db: Executor, email: string) {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!domain) return undefined;
  const tenant = await findTenantByRef(db, domain.includes('.') ? domain : `${domain}.`);
  if (!tenant) return undefined;
  const lower = email.toLowerCase();
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenant.id)
    .where('user_type', '=', 'Member')
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['user_principal_name']), '=', lower),
        eb(eb.fn('lower', ['mail']), '=', lower),
      ]),
    )
    .where((eb) => eb.or([eb('creation_type', 'is', null), eb('creation_type', '!=', 'Invitation')]))
    .executeTakeFirst();
  return user ? { tenant, user } : undefined;
}
