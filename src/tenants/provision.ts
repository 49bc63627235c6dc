import type { Services } from '../app/services.js';
import { newPasswordCredential } from '../applications/secrets.js';
import { grantPermissions, insertApplication, insertPassword } from '../applications/store.js';
import { type Actor, systemActor } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { allPermissions } from '../auth/permissions.js';
import { isUniqueViolation } from '../db/errors.js';
import { FoyerError } from '../errors/catalogue.js';
import { hashPassword } from '../users/passwords.js';
import { assignRole, insertUser } from '../users/store.js';
import { createTenant, slugify } from './service.js';

export interface ProvisionInput {
  displayName: string;
  slug?: string | undefined;
  defaultLanguage?: string | undefined;
  adminEmail?: string | undefined;
  adminPassword?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

export interface ProvisionedTenant {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  adminUserPrincipalName: string;
  adminPassword: string;
  clientId: string;
  clientSecret: string;
  tokenEndpoint: string;
}

/**
 * A usable tenant in one step: the tenant, its Global Administrator (password sign-in), and an automation
 * application holding every directory permission. Generated secrets are returned once and never stored in
 * plaintext.
 */
export async function provisionTenant(
  services: Services,
  input: ProvisionInput,
  actor: Actor = systemActor,
): Promise<ProvisionedTenant> {
  const adminPassword = input.adminPassword ?? services.ids.token(18);
  const clientId = input.clientId ?? services.ids.uuid();
  const now = services.clock.now().toISOString();
  const adminId = services.ids.uuid();
  const applicationId = services.ids.uuid();
  // Hashed before the transaction opens: argon2 is deliberately slow, and SQLite has one writer.
  const passwordHash = await hashPassword(adminPassword);

  const { tenant, adminUpn, credential } = await services.db
    .transaction()
    .execute(async (trx) => {
      const tenant = await createTenant(trx, services, input, actor);
      const adminUpn = `${input.adminEmail ? input.adminEmail.split('@')[0]!.toLowerCase() : 'admin'}@${tenant.default_domain}`;
      const credential = newPasswordCredential(services, tenant.id, applicationId, {
        displayName: 'bootstrap',
        ...(input.clientSecret && { secretText: input.clientSecret }),
      });
      await insertUser(trx, {
        tenant_id: tenant.id,
        id: adminId,
        display_name: 'Administrator',
        given_name: null,
        surname: null,
        job_title: null,
        consented_at: null,
        sign_in_sessions_valid_from: null,
        mail: input.adminEmail ?? null,
        other_mails: '[]',
        user_principal_name: adminUpn,
        mail_nickname: adminUpn.split('@')[0]!,
        user_type: 'Member',
        account_enabled: 1,
        preferred_language: null,
        created_at: now,
        creation_type: null,
        external_user_state: null,
        external_user_state_changed_at: null,
        password_hash: passwordHash,
      });
      await assignRole(trx, tenant.id, adminId, 'Global Administrator');
      await insertApplication(trx, {
        tenant_id: tenant.id,
        id: applicationId,
        app_id: clientId,
        display_name: 'Foyer automation',
        sign_in_audience: 'AzureADMyOrg',
        web_redirect_uris: '[]',
        spa_redirect_uris: '[]',
        public_client_redirect_uris: '[]',
        app_roles: '[]',
        created_at: now,
        tokens_valid_after: null,
      });
      await insertPassword(trx, credential.row);
      await grantPermissions(trx, tenant.id, applicationId, allPermissions);
      const admin = {
        id: adminId,
        type: 'User',
        displayName: 'Administrator',
        userPrincipalName: adminUpn,
      } as const;
      const events = [
        { type: 'user.created', target: admin },
        { type: 'role.assigned', target: { ...admin, displayName: 'Global Administrator' } },
        {
          type: 'application.created',
          target: { id: applicationId, type: 'Application', displayName: 'Foyer automation' },
        },
        {
          type: 'application.permission.granted',
          target: { id: applicationId, type: 'Application', displayName: 'Foyer automation' },
        },
      ] as const;
      for (const { type, target } of events) {
        await publish(trx, services, {
          type,
          tenantId: tenant.id,
          actor,
          targets: [target],
          correlationId: services.ids.uuid(),
        });
      }
      return { tenant, adminUpn, credential };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new FoyerError(
          'duplicateValue',
          `A tenant with the slug '${input.slug ?? slugify(input.displayName)}' or the client id already exists.`,
        );
      }
      throw error;
    });

  return {
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    tenantName: tenant.display_name,
    adminUserPrincipalName: adminUpn,
    adminPassword,
    clientId,
    clientSecret: credential.secretText,
    tokenEndpoint: `${services.config.baseUrl}/${tenant.slug}/oauth2/v2.0/token`,
  };
}
