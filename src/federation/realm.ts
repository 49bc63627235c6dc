import type { Services } from '../app/services.js';
import type { Executor } from '../db/executor.js';
import { emailDomain } from '../platform/text.js';
import { findMemberByEmail } from '../signin/members.js';
import { providerByIssuer, providerForDomain, providerOfKind } from './store.js';

/** The addresses the Google preset serves (PRODUCT §4.3 step 3). */
const GOOGLE_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * Home realm discovery for an address in a tenant (PRODUCT §4.3 steps 2 and 3): the provider the tenant
 * federates the address's domain to, else Google for a Gmail address when the tenant configured Google.
 */
export async function providerForAddress(db: Executor, tenantId: string, email: string) {
  const domain = emailDomain(email);
  const federated = await providerForDomain(db, tenantId, domain);
  if (federated) return { path: 'federated' as const, provider: federated };
  if (GOOGLE_DOMAINS.has(domain)) {
    const google = await providerOfKind(db, tenantId, 'google');
    if (google) return { path: 'google' as const, provider: google };
  }
  return undefined;
}

/**
 * Where a guest of the tenant signs in: the provider its identity is bound to (issuer + sub), found from the
 * address it is known by. Undefined for anyone not bound to one of the tenant's providers.
 */
export async function providerOfGuest(services: Services, tenantId: string, email: string) {
  const bound = await services.db
    .selectFrom('users as u')
    .innerJoin('user_identities as i', (join) =>
      join.onRef('i.tenant_id', '=', 'u.tenant_id').onRef('i.user_id', '=', 'u.id'),
    )
    .select(['i.issuer'])
    .where('u.tenant_id', '=', tenantId)
    .where('u.user_type', '=', 'Guest')
    .where((eb) => eb(eb.fn('lower', ['u.mail']), '=', email.toLowerCase()))
    .execute();
  for (const { issuer } of bound) {
    const provider = await providerByIssuer(services.db, tenantId, issuer);
    if (provider) return provider;
  }
  return undefined;
}

/**
 * Where an address typed on a tenant's sign-in page goes (identifier-first): a guest of the tenant signs in
 * where it is bound (its provider, or here when bound to anything else); an unknown address, or a guest still
 * pending, follows the redemption precedence, so an invitation redeems just in time where it would redeem.
 */
export async function providerForSignIn(services: Services, tenantId: string, email: string) {
  const guest = await services.db
    .selectFrom('users')
    .select('external_user_state')
    .where('tenant_id', '=', tenantId)
    .where('user_type', '=', 'Guest')
    .where((eb) => eb(eb.fn('lower', ['mail']), '=', email.toLowerCase()))
    .executeTakeFirst();
  if (guest && guest.external_user_state !== 'PendingAcceptance')
    return providerOfGuest(services, tenantId, email);
  if (await findMemberByEmail(services.db, email)) return undefined;
  return (await providerForAddress(services.db, tenantId, email))?.provider;
}
