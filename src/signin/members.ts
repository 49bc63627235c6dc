import type { Executor } from '../db/executor.js';
import { prepared } from '../db/prepared.js';
import { emailDomain } from '../platform/text.js';
import { findTenantByRef } from '../tenants/store.js';
import type { UserRow } from '../users/store.js';

/**
 * The member account an address names, in whichever tenant of this instance verified the address's domain
 * (default domains included): its userPrincipalName or its mail (PRODUCT §4.3 step 1). Guests are never home
 * accounts. Two indexed lookups: the domain, then the user within that tenant.
 */
export async function findMemberByEmail(db: Executor, email: string) {
  const domain = emailDomain(email);
  if (!domain) return undefined;
  const tenant = await findTenantByRef(db, domain.includes('.') ? domain : `${domain}.`);
  if (!tenant) return undefined;
  const lower = email.toLowerCase();
  const [user] = await memberByAddress(db, tenant.id, lower, lower);
  return user ? { tenant, user } : undefined;
}

// Every sign-in runs it: compiled once (src/db/prepared.ts).
const memberByAddress = prepared<UserRow, [string, string, string]>(3, (db, tenantId, lowerUpn, lowerMail) =>
  db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_type', '=', 'Member')
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['user_principal_name']), '=', lowerUpn),
        eb(eb.fn('lower', ['mail']), '=', lowerMail),
      ]),
    )
    .where((eb) => eb.or([eb('creation_type', 'is', null), eb('creation_type', '!=', 'Invitation')])),
);
