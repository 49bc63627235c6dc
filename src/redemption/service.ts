import { findAccountByEmail } from '../accounts/store.js';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { providerForAddress } from '../federation/realm.js';
import { domainRefusal } from '../policies/b2b.js';
import { getB2bPolicy } from '../policies/service.js';
import { findMemberByEmail } from '../signin/members.js';
import type { TenantRow } from '../tenants/store.js';
import { type RedemptionPath, redemptionPath } from './precedence.js';

/** The facts PRODUCT §4.3 decides on, read for one invited address, and the path they give. */
export async function pathFor(services: Services, tenant: TenantRow, email: string): Promise<RedemptionPath> {
  return (await routeFor(services, tenant, email)).path;
}

/** The path, and the identity provider it goes through (PRODUCT §4.3 steps 2 and 3). */
export async function routeFor(services: Services, tenant: TenantRow, email: string) {
  const [member, personal, policy, federation] = await Promise.all([
    findMemberByEmail(services.db, email),
    findAccountByEmail(services.db, email),
    getB2bPolicy(services.db, tenant.id),
    providerForAddress(services.db, tenant.id, email),
  ]);
  const path = redemptionPath({
    memberElsewhere: member !== undefined && member.tenant.id !== tenant.id,
    federatedDomain: federation?.path === 'federated',
    googleAddress: federation?.path === 'google',
    personalAccount: personal !== undefined,
    passcodeEnabled: policy.emailOneTimePasscodeEnabled,
  });
  return { path, provider: path === 'federated' || path === 'google' ? federation?.provider : undefined };
}

/** The domain policy, checked again at redemption (PRODUCT §4.1): it may have changed since the invitation. */
export async function assertRedeemableDomain(services: Services, tenant: TenantRow, email: string) {
  const refusal = domainRefusal(await getB2bPolicy(services.db, tenant.id), email);
  if (refusal) {
    throw new FoyerError('redemptionDomainNotAllowed', refusal, {
      pageValues: { organization: tenant.display_name },
    });
  }
}

export async function passcodeEnabled(services: Services, tenantId: string): Promise<boolean> {
  return (await getB2bPolicy(services.db, tenantId)).emailOneTimePasscodeEnabled;
}
