import type { Services } from '../app/services.js';
import { publish } from '../audit/publish.js';
import { assertWithinOwnPermissions, authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { invalidatePrincipals } from '../auth/resolve.js';
import { FoyerError } from '../errors/catalogue.js';
import { queryPage } from '../graph/collection.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { groupBy } from '../platform/collections.js';
import { applicationEntity } from './entity.js';
import { type CreateApplicationBody, toApplicationResource, toPasswordCredential } from './schemas.js';
import { newPasswordCredential } from './secrets.js';
import {
  type ApplicationRow,
  deleteApplication,
  deletePassword,
  findApplication,
  grantPermissions,
  insertApplication,
  insertPassword,
  passwordsOf,
  permissionsOf,
  refuseTokensIssuedBefore,
  revokePermission,
} from './store.js';

async function withCredentials(services: Services, tenantId: string, rows: ApplicationRow[]) {
  const ids = rows.map((r) => r.id);
  const [passwords, permissions] = await Promise.all([
    passwordsOf(services.db, tenantId, ids),
    permissionsOf(services.db, tenantId, ids),
  ]);
  const passwordsByApp = groupBy(passwords, (p) => p.application_id);
  const permissionsByApp = groupBy(permissions, (p) => p.application_id);
  return rows.map((row) =>
    toApplicationResource(
      row,
      passwordsByApp.get(row.id) ?? [],
      (permissionsByApp.get(row.id) ?? []).map((p) => p.permission),
    ),
  );
}

export async function requireApplication(services: Services, tenantId: string, id: string) {
  const row = await findApplication(services.db, tenantId, id);
  if (!row)
    throw new FoyerError(
      'notFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return row;
}

export async function getApplication(services: Services, tenantId: string, id: string) {
  const [resource] = await withCredentials(services, tenantId, [
    await requireApplication(services, tenantId, id),
  ]);
  return resource!;
}

/** GET /applications/{id} as a caller: Application.Read.All or broader; Global Administrators for people. */
export async function readApplication(services: Services, principal: Principal, id: string) {
  authorize(principal, 'readApplications');
  return getApplication(services, principal.tenantId, id);
}

export async function listApplications(services: Services, principal: Principal, options: QueryOptions) {
  authorize(principal, 'readApplications');
  const tenantId = principal.tenantId;
  const page = await queryPage(
    () => services.db.selectFrom('applications'),
    tenantId,
    options,
    applicationEntity,
  );
  return { ...page, items: await withCredentials(services, tenantId, page.items) };
}

export async function createApplication(
  services: Services,
  principal: Principal,
  body: CreateApplicationBody,
) {
  authorize(principal, 'writeApplications');
  const row: ApplicationRow = {
    tenant_id: principal.tenantId,
    id: services.ids.uuid(),
    app_id: services.ids.uuid(),
    display_name: body.displayName,
    sign_in_audience: body.signInAudience ?? 'AzureADMyOrg',
    web_redirect_uris: JSON.stringify(body.web?.redirectUris ?? []),
    spa_redirect_uris: JSON.stringify(body.spa?.redirectUris ?? []),
    public_client_redirect_uris: JSON.stringify(body.publicClient?.redirectUris ?? []),
    app_roles: JSON.stringify(body.appRoles ?? []),
    created_at: services.clock.now().toISOString(),
    tokens_valid_after: null,
    web_home_page_url: body.web?.homePageUrl ?? null,
  };
  await services.db.transaction().execute(async (trx) => {
    await insertApplication(trx, row);
    await publish(trx, services, {
      type: 'application.created',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: row.id, type: 'Application', displayName: row.display_name }],
      correlationId: services.ids.uuid(),
    });
  });
  return toApplicationResource(row, [], []);
}

export async function addApplicationPassword(
  services: Services,
  principal: Principal,
  id: string,
  input: { displayName?: string | null | undefined; endDateTime?: string | undefined },
) {
  authorize(principal, 'writeApplications');
  const app = await requireApplication(services, principal.tenantId, id);
  // A secret is the application's whole power: minting one for an application that can do more than the
  // caller would hand the caller that power (the bootstrap app holds every permission).
  const held = await permissionsOf(services.db, principal.tenantId, [app.id]);
  assertWithinOwnPermissions(
    principal,
    held.map((p) => p.permission),
    'add credentials to this application',
  );
  const endDateTime = input.endDateTime ? new Date(input.endDateTime).toISOString() : undefined;
  if (endDateTime && endDateTime <= services.clock.now().toISOString()) {
    throw new FoyerError('invalidValue', 'endDateTime must be in the future.');
  }
  const credential = newPasswordCredential(services, principal.tenantId, app.id, {
    displayName: input.displayName ?? null,
    ...(endDateTime && { endDateTime }),
  });
  await services.db.transaction().execute(async (trx) => {
    await insertPassword(trx, credential.row);
    await publish(trx, services, {
      type: 'application.password.added',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: app.id, type: 'Application', displayName: app.display_name }],
      details: { keyId: credential.row.key_id },
      correlationId: services.ids.uuid(),
    });
  });
  return toPasswordCredential(credential.row, credential.secretText);
}

export async function grantApplicationPermissions(
  services: Services,
  principal: Principal,
  id: string,
  permissions: readonly string[],
) {
  authorize(principal, 'grantPermissions');
  const app = await requireApplication(services, principal.tenantId, id);
  // Granting is minting power too: what the application will hold must be within what the caller holds, or
  // an app with Directory.ReadWrite.All could give itself (or an app it has a secret of) Policy.ReadWrite.*.
  const held = await permissionsOf(services.db, principal.tenantId, [app.id]);
  assertWithinOwnPermissions(
    principal,
    [...new Set([...held.map((p) => p.permission), ...permissions])],
    'grant these permissions',
  );
  await services.db.transaction().execute(async (trx) => {
    await grantPermissions(trx, principal.tenantId, app.id, permissions);
    await publish(trx, services, {
      type: 'application.permission.granted',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: app.id, type: 'Application', displayName: app.display_name }],
      details: { permissions: permissions.join(' ') },
      correlationId: services.ids.uuid(),
    });
  });
  // The next token carries the grant: the token endpoint's cached reading of this client goes (oidc/clients.ts).
  invalidatePrincipals(services.db);
  return getApplication(services, principal.tenantId, app.id);
}

/** DELETE /applications/{id} (Graph): the app, its secrets and grants go; its tokens stop working. */
export async function removeApplication(services: Services, principal: Principal, id: string) {
  authorize(principal, 'writeApplications');
  const app = await requireApplication(services, principal.tenantId, id);
  await services.db.transaction().execute(async (trx) => {
    await deleteApplication(trx, principal.tenantId, app.id);
    await publish(trx, services, {
      type: 'application.deleted',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: app.id, type: 'Application', displayName: app.display_name }],
      details: { appId: app.app_id },
      correlationId: services.ids.uuid(),
    });
  });
  invalidatePrincipals(services.db);
}

/**
 * POST /applications/{id}/removePassword (Graph): the secret stops authenticating at once, and the tokens the
 * application obtained until now stop working at the API (we cannot tell which secret minted a token, so all
 * of them go; the application asks for new ones with a secret it still holds).
 */
export async function removeApplicationPassword(
  services: Services,
  principal: Principal,
  id: string,
  keyId: string,
) {
  authorize(principal, 'writeApplications');
  const app = await requireApplication(services, principal.tenantId, id);
  await services.db.transaction().execute(async (trx) => {
    if (!(await deletePassword(trx, principal.tenantId, app.id, keyId))) {
      throw new FoyerError(
        'notFound',
        `No password credential with keyId '${keyId}' on application '${id}'.`,
      );
    }
    await refuseTokensIssuedBefore(trx, principal.tenantId, app.id, services.clock.now().toISOString());
    await publish(trx, services, {
      type: 'application.password.removed',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: app.id, type: 'Application', displayName: app.display_name }],
      details: { keyId: keyId.toLowerCase() },
      correlationId: services.ids.uuid(),
    });
  });
  invalidatePrincipals(services.db);
}

/**
 * DELETE /applications/{id}/grantedPermissions/{permission} (Foyer extension). The API narrows every app
 * token's roles to what is still granted, so the permission stops working before the token expires.
 */
export async function revokeApplicationPermission(
  services: Services,
  principal: Principal,
  id: string,
  permission: string,
) {
  authorize(principal, 'grantPermissions');
  const app = await requireApplication(services, principal.tenantId, id);
  await services.db.transaction().execute(async (trx) => {
    if (!(await revokePermission(trx, principal.tenantId, app.id, permission))) {
      throw new FoyerError('notFound', `Permission '${permission}' is not granted to application '${id}'.`);
    }
    await publish(trx, services, {
      type: 'application.permission.revoked',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: app.id, type: 'Application', displayName: app.display_name }],
      details: { permissions: permission },
      correlationId: services.ids.uuid(),
    });
  });
  invalidatePrincipals(services.db);
}
