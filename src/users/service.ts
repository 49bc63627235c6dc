import type { SelectQueryBuilder } from 'kysely';
import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { authorize, isPrivileged } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { invalidatePrincipals } from '../auth/resolve.js';
import { isUniqueViolation, violatedConstraint } from '../db/errors.js';
import type { Database } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import { queryPage } from '../graph/collection.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { issuerOf } from '../platform/issuer.js';
import { revokeIdentityEverywhere, revokeUserSessions } from '../sessions/revoke.js';
import { findTenantById, listDomains } from '../tenants/store.js';
import { userEntity } from './entity.js';
import { hashPassword } from './passwords.js';
import { needsIdentities, toUserResource, userColumns, userReader } from './resource.js';
import type { CreateUserBody, UpdateUserBody, UserResource } from './schemas.js';
import {
  deleteUser,
  findUser,
  identitiesByUser,
  insertUser,
  rolesOfUser,
  type UserRow,
  updateUser,
} from './store.js';

/** Graph's message for a unique-property collision, naming the property the database refused. */
function duplicateProperty(error: unknown): FoyerError {
  const constraint = violatedConstraint(error);
  const property = constraint.includes('identit')
    ? 'identities'
    : constraint.includes('mail')
      ? 'mail'
      : 'userPrincipalName';
  return new FoyerError(
    'duplicateValue',
    `Another object with the same value for property ${property} already exists.`,
  );
}

/** Graph: "The domain portion of the userPrincipalName property is invalid." — it must be a verified domain. */
async function assertUpnDomain(services: Services, tenantId: string, upn: string): Promise<void> {
  const at = upn.lastIndexOf('@');
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1).toLowerCase();
  if (at <= 0 || !domain || !/^[A-Za-z0-9._#'+-]+$/.test(local)) {
    throw new FoyerError(
      'invalidValue',
      `Invalid value specified for property 'userPrincipalName' of resource 'User'.`,
    );
  }
  const domains = await listDomains(services.db, tenantId);
  if (!domains.some((d) => d.verified === 1 && d.domain === domain)) {
    throw new FoyerError(
      'invalidValue',
      `The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.`,
    );
  }
}

/**
 * Identities issued by this very tenant (one of its domains, or its own issuer) are the derived sign-in
 * names of its members: a guest holding one would sign in as, or be confused with, that member.
 */
async function assertForeignIdentities(
  services: Services,
  tenantId: string,
  identities: CreateUserBody['identities'],
): Promise<void> {
  if (!identities?.length) return;
  const own = new Set((await listDomains(services.db, tenantId)).map((d) => d.domain.toLowerCase()));
  const tenant = await findTenantById(services.db, tenantId);
  if (tenant) own.add(tenant.default_domain.toLowerCase());
  const issuer = issuerOf(services.config.baseUrl, tenantId).toLowerCase();
  for (const identity of identities) {
    const value = identity.issuer.trim().toLowerCase().replace(/\/+$/, '');
    if (
      own.has(value) ||
      value === issuer ||
      value === `${services.config.baseUrl}/${tenantId}`.toLowerCase()
    ) {
      throw new FoyerError(
        'invalidValue',
        `Invalid value specified for property 'identities' of resource 'User': the issuer '${identity.issuer}' is this organization's own; its members' identities cannot be assigned.`,
      );
    }
  }
}

export async function createUser(
  services: Services,
  principal: Principal,
  body: CreateUserBody,
): Promise<UserRow> {
  authorize(principal, 'writeUsers');
  const tenantId = principal.tenantId;
  const userType = body.userType ?? 'Member';
  if (userType === 'Member' && !body.passwordProfile) {
    throw new FoyerError('badRequest', `Property 'passwordProfile' is required when creating a member user.`);
  }
  if (userType === 'Guest' && !body.identities?.length && !body.passwordProfile) {
    throw new FoyerError('badRequest', 'A guest created without an invitation needs at least one identity.');
  }
  await assertUpnDomain(services, tenantId, body.userPrincipalName);
  await assertForeignIdentities(services, tenantId, body.identities);
  const now = services.clock.now().toISOString();
  const row: UserRow = {
    tenant_id: tenantId,
    id: services.ids.objectId(),
    display_name: body.displayName,
    given_name: body.givenName ?? null,
    surname: body.surname ?? null,
    job_title: body.jobTitle ?? null,
    consented_at: null,
    sign_in_sessions_valid_from: null,
    mail: body.mail ?? null,
    other_mails: JSON.stringify(body.otherMails ?? []),
    user_principal_name: body.userPrincipalName,
    mail_nickname: body.mailNickname,
    user_type: userType,
    account_enabled: body.accountEnabled ? 1 : 0,
    preferred_language: body.preferredLanguage ?? null,
    created_at: now,
    creation_type: null,
    external_user_state: userType === 'Guest' ? 'Accepted' : null,
    external_user_state_changed_at: userType === 'Guest' ? now : null,
    password_hash: body.passwordProfile ? await hashPassword(body.passwordProfile.password) : null,
  };
  const identities = (body.identities ?? []).map((i) => ({
    sign_in_type: i.signInType,
    issuer: i.issuer,
    issuer_assigned_id: i.issuerAssignedId ?? '',
  }));
  try {
    await services.db.transaction().execute(async (trx) => {
      await insertUser(trx, row, identities);
      await publish(trx, services, {
        type: 'user.created',
        tenantId,
        actor: actorOf(principal),
        targets: [userTarget(row)],
        correlationId: services.ids.uuid(),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateProperty(error);
    throw error;
  }
  return row;
}

export async function requireUser(services: Services, tenantId: string, ref: string): Promise<UserRow> {
  const user = await findUser(services.db, tenantId, ref);
  if (!user) {
    throw new FoyerError(
      'notFound',
      `Resource '${ref}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
  return user;
}

/** Changing these on someone who holds a directory role could take that role over. */
const SENSITIVE_PROPERTIES = [
  'passwordProfile',
  'accountEnabled',
  'userPrincipalName',
  'mail',
  'otherMails',
] as const;

/**
 * A user holding a directory role (a Global Administrator, say) may have its credentials or sign-in names
 * changed, or be deleted, only by a privileged caller: Directory.ReadWrite.All for applications, a Global
 * Administrator for people. User.ReadWrite.All alone must not be a path to taking over an administrator.
 */
async function assertMayManagePrivileged(
  services: Services,
  principal: Principal,
  user: UserRow,
  what: string,
) {
  if (isPrivileged(principal)) return;
  if ((await rolesOfUser(services.db, principal.tenantId, user.id)).length > 0) {
    throw new FoyerError(
      'forbidden',
      `Insufficient privileges to ${what} a user who holds a directory role.`,
    );
  }
}

export async function patchUser(services: Services, principal: Principal, ref: string, body: UpdateUserBody) {
  authorize(principal, 'writeUsers');
  const tenantId = principal.tenantId;
  const user = await requireUser(services, tenantId, ref);
  if (SENSITIVE_PROPERTIES.some((name) => body[name] !== undefined)) {
    await assertMayManagePrivileged(services, principal, user, 'change the sign-in properties of');
  }
  if (body.userPrincipalName !== undefined) await assertUpnDomain(services, tenantId, body.userPrincipalName);
  const patch = {
    ...(body.displayName !== undefined && { display_name: body.displayName }),
    ...(body.givenName !== undefined && { given_name: body.givenName }),
    ...(body.surname !== undefined && { surname: body.surname }),
    ...(body.jobTitle !== undefined && { job_title: body.jobTitle }),
    ...(body.mail !== undefined && { mail: body.mail }),
    ...(body.otherMails !== undefined && { other_mails: JSON.stringify(body.otherMails) }),
    ...(body.preferredLanguage !== undefined && { preferred_language: body.preferredLanguage }),
    ...(body.userPrincipalName !== undefined && { user_principal_name: body.userPrincipalName }),
    ...(body.mailNickname !== undefined && { mail_nickname: body.mailNickname }),
    ...(body.accountEnabled !== undefined && { account_enabled: body.accountEnabled ? 1 : 0 }),
    ...(body.passwordProfile !== undefined && {
      password_hash: await hashPassword(body.passwordProfile.password),
    }),
  };
  const changed = Object.keys(body).filter((k) => k !== 'passwordProfile');
  try {
    await services.db.transaction().execute(async (trx) => {
      await updateUser(trx, tenantId, user.id, patch);
      await publish(trx, services, {
        type: 'user.updated',
        tenantId,
        actor: actorOf(principal),
        targets: [
          {
            id: user.id,
            type: 'User',
            displayName: body.displayName ?? user.display_name,
            userPrincipalName: body.userPrincipalName ?? user.user_principal_name,
            modifiedProperties: [...changed, ...(body.passwordProfile ? ['passwordProfile'] : [])].map(
              (name) => ({
                displayName: name,
                oldValue: null,
                newValue: null,
              }),
            ),
          },
        ],
        correlationId: services.ids.uuid(),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateProperty(error);
    throw error;
  }
  // A disabled (or re-enabled) account changes at the API (src/auth/resolve.ts); this process sees it at once.
  if (body.accountEnabled !== undefined) invalidatePrincipals(services.db);
  // A new password or a disabled account ends the sign-in sessions and refresh tokens issued before it.
  if (body.passwordProfile !== undefined || body.accountEnabled === false)
    await endSignInSessions(services, user);
}

/** Ends a user's sessions and refresh tokens; for a member, also wherever it is a guest on this instance. */
async function endSignInSessions(services: Services, user: UserRow): Promise<void> {
  if (user.user_type === 'Member' && user.creation_type !== 'Invitation') {
    await revokeIdentityEverywhere(services, {
      kind: 'member',
      tenantId: user.tenant_id,
      userId: user.id,
      email: user.mail ?? user.user_principal_name,
      name: user.display_name,
    });
  } else {
    await revokeUserSessions(services, user.tenant_id, user.id);
  }
}

/**
 * Graph's revokeSignInSessions: every refresh token and browser session of the user issued before now stops
 * working (access tokens run out within their hour, as in Entra).
 */
export async function revokeSignInSessions(
  services: Services,
  principal: Principal,
  ref: string,
): Promise<void> {
  authorize(principal, 'writeUsers');
  const user = await requireUser(services, principal.tenantId, ref);
  await assertMayManagePrivileged(services, principal, user, 'revoke the sessions of');
  await endSignInSessions(services, user);
  await services.db.transaction().execute((trx) =>
    publish(trx, services, {
      type: 'user.sessions.revoked',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [userTarget(user)],
      correlationId: services.ids.uuid(),
    }),
  );
}

export async function removeUser(services: Services, principal: Principal, ref: string): Promise<void> {
  authorize(principal, 'writeUsers');
  const tenantId = principal.tenantId;
  const user = await requireUser(services, tenantId, ref);
  await assertMayManagePrivileged(services, principal, user, 'delete');
  await services.db.transaction().execute(async (trx) => {
    await deleteUser(trx, tenantId, user.id);
    await publish(trx, services, {
      type: 'user.deleted',
      tenantId,
      actor: actorOf(principal),
      targets: [userTarget(user)],
      correlationId: services.ids.uuid(),
    });
  });
  invalidatePrincipals(services.db);
}

/** One user as Graph shows it (identities included, loaded in the same round trip). */
export async function getUserResource(
  services: Services,
  tenantId: string,
  ref: string,
): Promise<UserResource> {
  const user = await requireUser(services, tenantId, ref);
  const [identities, domain] = await Promise.all([
    identitiesByUser(services.db, tenantId, [user.id]),
    defaultDomainOf(services, tenantId),
  ]);
  return toUserResource(user, identities.get(user.id) ?? [], domain);
}

/**
 * A page of users for the OData options, each with exactly `properties` (in that order): only the columns those
 * properties need are read, and identities (with the tenant's domain) only when asked for — Graph's default
 * set has none, so a default page is one statement. `narrow` restricts the collection, e.g. to one group's
 * members.
 */
export async function listUsers(
  services: Services,
  tenantId: string,
  options: QueryOptions,
  properties: readonly string[],
  narrow: (
    query: SelectQueryBuilder<Database, 'users', object>,
  ) => SelectQueryBuilder<Database, 'users', object> = (q) => q,
) {
  const { db } = services;
  const columns = userColumns(properties);
  const withIdentities = needsIdentities(properties);
  const [page, defaultDomain] = await Promise.all([
    queryPage(() => narrow(db.selectFrom('users')), tenantId, options, userEntity, columns),
    withIdentities ? defaultDomainOf(services, tenantId) : '',
  ]);
  const identities = withIdentities
    ? await identitiesByUser(
        db,
        tenantId,
        page.items.map((u) => u.id),
      )
    : new Map();
  return { ...page, items: page.items.map(userReader(properties, { identities, defaultDomain })) };
}

async function defaultDomainOf(services: Services, tenantId: string): Promise<string> {
  const tenant = await findTenantById(services.db, tenantId);
  return tenant?.default_domain ?? '';
}
