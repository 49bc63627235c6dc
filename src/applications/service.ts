import type { Services } from '../app/services.js';
import { publish } from '../audit/publish.js';
import { FoyerError } from '../errors/catalogue.js';
import { queryPage } from '../graph/collection.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { actorOf, type Principal } from '../graph/principal.js';
import { groupBy } from '../platform/collections.js';
import { applicationEntity } from './entity.js';
import { type CreateApplicationBody, toApplicationResource, toPasswordCredential } from './schemas.js';
import { newPasswordCredential } from './secrets.js';
import {
  type ApplicationRow,
  findApplication,
  grantPermissions,
  insertApplication,
  insertPassword,
  passwordsOf,
  permissionsOf,
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

export async function listApplications(services: Services, tenantId: string, options: QueryOptions) {
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
  const app = await requireApplication(services, principal.tenantId, id);
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
  const app = await requireApplication(services, principal.tenantId, id);
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
  return getApplication(services, principal.tenantId, app.id);
}
