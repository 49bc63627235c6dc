import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import { requireUser } from '../users/service.js';
import { deleteMethod, findMethodOf, type MfaMethodRow } from './store.js';

/**
 * /users/{id}/authentication/softwareOathMethods (Graph v1.0): a user's TOTP method, as an administrator sees and
 * resets it. Deleting it is the MFA reset: the user enrols again at the next sign-in that needs MFA, and the old
 * recovery codes stop working.
 */
export const SOFTWARE_OATH_TYPE = '#microsoft.graph.softwareOathAuthenticationMethod';

export interface SoftwareOathMethod {
  '@odata.type': typeof SOFTWARE_OATH_TYPE;
  id: string;
  /** Graph never returns the secret key once registered. */
  secretKey: null;
}

const toResource = (row: MfaMethodRow): SoftwareOathMethod => ({
  '@odata.type': SOFTWARE_OATH_TYPE,
  id: row.id,
  secretKey: null,
});

/** An enrolment not yet confirmed by a first code is not a registered method. */
async function activeMethodOf(services: Services, tenantId: string, userId: string) {
  const row = await findMethodOf(services.db, tenantId, userId);
  return row?.status === 'active' ? row : undefined;
}

export async function listSoftwareOathMethods(services: Services, principal: Principal, userRef: string) {
  authorize(principal, 'readAuthenticationMethods');
  const user = await requireUser(services, principal.tenantId, userRef);
  const row = await activeMethodOf(services, principal.tenantId, user.id);
  return { user, value: row ? [toResource(row)] : [] };
}

const methodNotFound = (methodId: string) =>
  new FoyerError(
    'notFound',
    `Resource '${methodId}' does not exist or one of its queried reference-property objects are not present.`,
  );

export async function getSoftwareOathMethod(
  services: Services,
  principal: Principal,
  userRef: string,
  methodId: string,
) {
  authorize(principal, 'readAuthenticationMethods');
  const user = await requireUser(services, principal.tenantId, userRef);
  const row = await activeMethodOf(services, principal.tenantId, user.id);
  if (!row || row.id !== methodId.toLowerCase()) throw methodNotFound(methodId);
  return { user, method: toResource(row) };
}

export async function deleteSoftwareOathMethod(
  services: Services,
  principal: Principal,
  userRef: string,
  methodId: string,
  correlationId: string,
): Promise<void> {
  authorize(principal, 'writeAuthenticationMethods');
  const user = await requireUser(services, principal.tenantId, userRef);
  await services.db.transaction().execute(async (trx) => {
    if (!(await deleteMethod(trx, principal.tenantId, user.id, methodId.toLowerCase()))) {
      throw methodNotFound(methodId);
    }
    await publish(trx, services, {
      type: 'mfa.method.deleted',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [userTarget(user)],
      details: { methodType: 'softwareOathAuthenticationMethod', methodId: methodId.toLowerCase() },
      correlationId,
    });
  });
}

/** The console's MFA reset: the user's authenticator app goes (there is at most one), or a 404 when there is none. */
export async function resetUserMfa(
  services: Services,
  principal: Principal,
  userRef: string,
  correlationId: string,
): Promise<void> {
  authorize(principal, 'writeAuthenticationMethods');
  const user = await requireUser(services, principal.tenantId, userRef);
  const row = await activeMethodOf(services, principal.tenantId, user.id);
  if (!row) throw new FoyerError('notFound', 'This user has no authenticator app to reset.');
  await deleteSoftwareOathMethod(services, principal, user.id, row.id, correlationId);
}
