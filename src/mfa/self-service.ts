import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { authorize, denied } from '../auth/guards.js';
import { actorOf, type UserPrincipal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import { findTenantByRef } from '../tenants/store.js';
import { requireUser } from '../users/service.js';
import { clearMfaFailures, mfaLockedMinutes, recordMfaFailure } from './attempts.js';
import { checkTotp, completeEnrolment, issueRecoveryCodes, pendingEnrolment } from './service.js';
import { deleteMethod, findMethodOf, type MfaMethodRow } from './store.js';
import { qrCodeDataUrl } from './totp.js';

/**
 * A person's own TOTP method, as My Apps shows it: what they have, enrolling (the same pending method and first
 * code as the sign-in's enrolment, src/mfa/gate.ts), removing it, and new recovery codes. Always about the
 * caller themselves (readSelf): there is no user id to pass, so none to forge.
 */
async function self(services: Services, principal: UserPrincipal) {
  authorize(principal, 'readSelf');
  const user = await requireUser(services, principal.tenantId, principal.objectId);
  const tenant = await findTenantByRef(services.db, principal.tenantId);
  if (!tenant) throw new FoyerError('notFound', 'This organization no longer exists.');
  return { user, tenant };
}

export async function myMfaMethod(services: Services, principal: UserPrincipal) {
  authorize(principal, 'readSelf');
  const row = await findMethodOf(services.db, principal.tenantId, principal.objectId);
  return row ? { id: row.id, status: row.status, activatedAt: row.activated_at } : undefined;
}

/** Starts (or resumes) enrolment: the pending method's key and its QR code. An active method must go first. */
export async function startMyEnrolment(services: Services, principal: UserPrincipal) {
  const { user, tenant } = await self(services, principal);
  const existing = await findMethodOf(services.db, tenant.id, user.id);
  if (existing?.status === 'active') {
    throw new FoyerError('invalidValue', 'An authenticator app is already set up: remove it first.');
  }
  const enrolment = await pendingEnrolment(services, tenant, user);
  return { base32: enrolment.base32, qrCode: await qrCodeDataUrl(enrolment.uri) };
}

/** The first code activates the pending method; the answer is the recovery codes (shown once), or 'wrong'. */
export async function confirmMyEnrolment(
  services: Services,
  principal: UserPrincipal,
  code: string,
  ipAddress: string,
): Promise<string[] | 'wrong'> {
  const { user, tenant } = await self(services, principal);
  const method = await findMethodOf(services.db, tenant.id, user.id);
  if (method?.status !== 'pending') {
    throw new FoyerError('invalidValue', 'There is no authenticator app set-up to confirm.');
  }
  if ((await checkTotp(services, method, code)) !== 'ok') return 'wrong';
  return completeEnrolment(services, tenant, user, ipAddress);
}

/**
 * Changing an active second factor asks for it: a session alone (stolen, or a browser left open) must not be
 * enough to remove the method or to mint recovery codes that get past it. Wrong codes count towards the same
 * lock as the sign-in's (src/mfa/attempts.ts).
 */
async function proveMethod(services: Services, method: MfaMethodRow, code: string): Promise<void> {
  const { tenant_id: tenantId, user_id: userId } = method;
  const locked = await mfaLockedMinutes(services, tenantId, userId);
  if (locked > 0) {
    throw new FoyerError('tooManyRequests', `Too many wrong codes: try again in ${locked} minutes.`);
  }
  if ((await checkTotp(services, method, code)) === 'ok') {
    await clearMfaFailures(services, tenantId, userId);
    return;
  }
  const lock = await recordMfaFailure(services, tenantId, userId);
  throw lock > 0
    ? new FoyerError('tooManyRequests', `Too many wrong codes: try again in ${lock} minutes.`)
    : new FoyerError('invalidValue', 'code: enter the current code from your authenticator app.');
}

/** Removes the person's own method with its recovery codes (an active one only with its current code); audited. */
export async function removeMyMethod(
  services: Services,
  principal: UserPrincipal,
  code: string,
  correlationId: string,
) {
  const { user, tenant } = await self(services, principal);
  const method = await findMethodOf(services.db, tenant.id, user.id);
  if (!method) throw new FoyerError('notFound', 'No authenticator app is set up.');
  if (method.status === 'active') await proveMethod(services, method, code);
  await services.db.transaction().execute(async (trx) => {
    if (!(await deleteMethod(trx, tenant.id, user.id, method.id))) {
      throw new FoyerError('notFound', 'No authenticator app is set up.');
    }
    await publish(trx, services, {
      type: 'mfa.method.selfDeleted',
      tenantId: tenant.id,
      actor: actorOf(principal),
      targets: [userTarget(user)],
      details: { methodType: 'softwareOathAuthenticationMethod', methodId: method.id },
      correlationId,
    });
  });
}

/** Ten new recovery codes replace the old ones (which stop working); only with an active method and its code. Audited. */
export async function regenerateMyRecoveryCodes(
  services: Services,
  principal: UserPrincipal,
  code: string,
  correlationId: string,
): Promise<string[]> {
  const { user, tenant } = await self(services, principal);
  const method = await findMethodOf(services.db, tenant.id, user.id);
  if (method?.status !== 'active') throw denied('Recovery codes need an authenticator app set up first.');
  await proveMethod(services, method, code);
  return services.db.transaction().execute(async (trx) => {
    const codes = await issueRecoveryCodes(trx, services, tenant.id, user.id);
    await publish(trx, services, {
      type: 'mfa.recoveryCodes.regenerated',
      tenantId: tenant.id,
      actor: actorOf(principal),
      targets: [userTarget(user)],
      details: { methodType: 'softwareOathAuthenticationMethod' },
      correlationId,
    });
    return codes;
  });
}
