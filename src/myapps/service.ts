import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { authorize, denied } from '../auth/guards.js';
import { actorOf, type UserPrincipal } from '../auth/principal.js';
import { invalidatePrincipals } from '../auth/resolve.js';
import { issuerOf } from '../platform/issuer.js';
import { getB2bPolicy } from '../policies/service.js';
import { requireUser } from '../users/service.js';
import { deleteUser } from '../users/store.js';

/**
 * My Apps (PRODUCT §7): what a signed-in person sees of their organisation — its apps, their organisations on
 * this instance, and leaving one. Everything is about the caller themselves (readSelf).
 */

export interface MyApp {
  displayName: string;
  homePageUrl: string;
}

/** The applications of the tenant that have a home page (web.homePageUrl): the ones a person can open. */
export async function myApps(services: Services, principal: UserPrincipal): Promise<MyApp[]> {
  authorize(principal, 'readSelf');
  const rows = await services.db
    .selectFrom('applications')
    .select(['display_name', 'web_home_page_url'])
    .where('tenant_id', '=', principal.tenantId)
    .where('web_home_page_url', 'is not', null)
    .orderBy('display_name')
    .limit(500)
    .execute();
  return rows.map((r) => ({ displayName: r.display_name, homePageUrl: r.web_home_page_url as string }));
}

export interface MyOrganization {
  tenantId: string;
  displayName: string;
  current: boolean;
}

/**
 * The organisations where the same person has an account: their home tenant (a member account here) and every
 * tenant holding a guest bound to the same home identity (issuer + issuer-assigned id).
 */
export async function myOrganizations(
  services: Services,
  principal: UserPrincipal,
): Promise<MyOrganization[]> {
  authorize(principal, 'readSelf');
  const { baseUrl } = services.config;
  const own = await services.db
    .selectFrom('user_identities')
    .select(['issuer', 'issuer_assigned_id'])
    .where('tenant_id', '=', principal.tenantId)
    .where('user_id', '=', principal.objectId)
    .execute();
  const identities = [...own];
  // A member's guests elsewhere are bound to this tenant's issuer and the member's object id.
  if (principal.userType === 'Member') {
    identities.push({
      issuer: issuerOf(baseUrl, principal.tenantId),
      issuer_assigned_id: principal.objectId,
    });
  }
  const tenantIds = new Set<string>([principal.tenantId]);
  for (const identity of identities) {
    const home = /\/([0-9a-f-]{36})\/v2\.0$/.exec(identity.issuer);
    if (home && identity.issuer === issuerOf(baseUrl, home[1]!)) tenantIds.add(home[1]!);
  }
  if (identities.length > 0) {
    const rows = await services.db
      .selectFrom('user_identities')
      .select('tenant_id')
      .where((eb) =>
        eb.or(
          identities.map((i) =>
            eb.and([eb('issuer', '=', i.issuer), eb('issuer_assigned_id', '=', i.issuer_assigned_id)]),
          ),
        ),
      )
      .limit(200)
      .execute();
    for (const row of rows) tenantIds.add(row.tenant_id);
  }
  const tenants = await services.db
    .selectFrom('tenants')
    .select(['id', 'display_name'])
    .where('id', 'in', [...tenantIds])
    .orderBy('display_name')
    .execute();
  return tenants.map((t) => ({
    tenantId: t.id,
    displayName: t.display_name,
    current: t.id === principal.tenantId,
  }));
}

/** Whether this person may leave the organisation: a guest, and the tenant lets guests leave. */
export async function mayLeave(services: Services, principal: UserPrincipal): Promise<boolean> {
  if (principal.userType !== 'Guest') return false;
  return (await getB2bPolicy(services.db, principal.tenantId)).guestsMayLeave;
}

/** A guest leaves the organisation: the guest object is deleted, audited as done by the guest themselves. */
export async function leaveOrganization(services: Services, principal: UserPrincipal): Promise<void> {
  authorize(principal, 'readSelf');
  if (principal.userType !== 'Guest')
    throw denied('Only guests can leave an organization; members are removed by an administrator.');
  if (!(await mayLeave(services, principal)))
    throw denied('This organization does not allow guests to leave by themselves.');
  const user = await requireUser(services, principal.tenantId, principal.objectId);
  await services.db.transaction().execute(async (trx) => {
    await deleteUser(trx, principal.tenantId, user.id);
    await publish(trx, services, {
      type: 'guest.left',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [userTarget(user)],
      correlationId: services.ids.uuid(),
    });
  });
  invalidatePrincipals(services.db);
}
