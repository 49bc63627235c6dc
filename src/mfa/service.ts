import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import type { Executor } from '../db/executor.js';
import { decryptAtRest, encryptAtRest } from '../oidc/key-encryption.js';
import { getB2bPolicy } from '../policies/service.js';
import type { TenantRow } from '../tenants/store.js';
import type { UserRow } from '../users/store.js';
import {
  acceptStep,
  consumeRecoveryCode,
  findMethodOf,
  insertPendingMethod,
  insertRecoveryCodes,
  type MfaMethodRow,
} from './store.js';
import { matchingStep, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpUri } from './totp.js';

/**
 * The TOTP method of a user object in the tenant that requires MFA (PRODUCT §6): enrolment (a pending method
 * whose first code activates it and issues recovery codes), verification, and recovery codes. Secrets are stored
 * encrypted under a key derived from FOYER_SECRET, bound to the tenant and method.
 */
const SECRET_PURPOSE = 'foyer/mfa/totp-secret/v1';
const contextOf = (row: { tenant_id: string; id: string }) => `${row.tenant_id}:${row.id}`;

/** Whether the tenant's b2bManagementPolicy asks this user for MFA (guests and members are set apart). */
export async function mfaRequired(services: Services, tenantId: string, user: UserRow): Promise<boolean> {
  const policy = await getB2bPolicy(services.db, tenantId);
  return user.user_type === 'Guest' ? policy.mfaRequiredForGuests : policy.mfaRequiredForMembers;
}

export const findMethod = (services: Services, tenantId: string, userId: string) =>
  findMethodOf(services.db, tenantId, userId);

const secretOf = (services: Services, row: MfaMethodRow) =>
  decryptAtRest(services.config.secret, SECRET_PURPOSE, contextOf(row), row.secret_encrypted);

/** What the enrolment page shows: the pending method's secret and its otpauth:// URI. */
export async function pendingEnrolment(services: Services, tenant: TenantRow, user: UserRow) {
  const id = services.ids.uuid();
  const secret = await newTotpSecret();
  const row = await insertPendingMethod(services.db, tenant.id, {
    id,
    user_id: user.id,
    secret_encrypted: encryptAtRest(services.config.secret, SECRET_PURPOSE, `${tenant.id}:${id}`, secret),
    created_at: services.clock.now().toISOString(),
  });
  const base32 = secretOf(services, row);
  const label = user.mail ?? user.user_principal_name;
  return { method: row, base32, uri: await totpUri(base32, tenant.display_name, label) };
}

/**
 * Checks a TOTP code against the method and accepts its time step once (enrolment activates the pending method
 * in the same guarded update). 'wrong' covers a replayed code too: the person is told the same either way.
 */
export async function checkTotp(
  services: Services,
  method: MfaMethodRow,
  code: string,
): Promise<'ok' | 'wrong'> {
  const now = services.clock.now();
  const step = await matchingStep(secretOf(services, method), code, now);
  if (step === null) return 'wrong';
  const activateAt = method.status === 'pending' ? now.toISOString() : null;
  return (await acceptStep(services.db, method.tenant_id, method.id, step, activateAt)) ? 'ok' : 'wrong';
}

/** Ten new recovery codes, stored hashed in place of any earlier ones; the plain codes are shown once. */
export async function issueRecoveryCodes(
  trx: Executor,
  services: Services,
  tenantId: string,
  userId: string,
): Promise<string[]> {
  const codes = newRecoveryCodes();
  const hashes = codes.map((code) => recoveryCodeHash(services.config.secret, tenantId, userId, code));
  await insertRecoveryCodes(trx, tenantId, userId, hashes, services.clock.now().toISOString());
  return codes;
}

/** After the first code: ten recovery codes (shown once, stored hashed) and the audit entry. */
export async function completeEnrolment(
  services: Services,
  tenant: TenantRow,
  user: UserRow,
  ipAddress: string,
): Promise<string[]> {
  return services.db.transaction().execute(async (trx) => {
    const codes = await issueRecoveryCodes(trx, services, tenant.id, user.id);
    await publish(trx, services, {
      type: 'mfa.method.registered',
      tenantId: tenant.id,
      actor: {
        kind: 'user',
        id: user.id,
        displayName: user.display_name,
        name: user.user_principal_name,
        ipAddress,
      },
      targets: [userTarget(user)],
      details: { methodType: 'softwareOathAuthenticationMethod' },
      correlationId: services.ids.uuid(),
    });
    return codes;
  });
}

/** Uses a recovery code (once); only an active method's codes count. */
export async function useRecoveryCode(
  services: Services,
  tenantId: string,
  user: UserRow,
  code: string,
): Promise<boolean> {
  const trimmed = code.trim();
  if (trimmed.length < 10 || trimmed.length > 20) return false;
  const hash = recoveryCodeHash(services.config.secret, tenantId, user.id, trimmed);
  return consumeRecoveryCode(services.db, tenantId, user.id, hash, services.clock.now().toISOString());
}
