import * as z from 'zod';
import { allPermissions } from '../auth/permissions.js';
import type { ApplicationRow, PasswordRow } from './store.js';

// zod 4 runs refinements even after z.url() has failed: an unparsable value is left to z.url()'s message.
const webRedirectUri = z
  .url({ message: 'must be an absolute URL' })
  .max(256)
  .refine((uri) => {
    if (!URL.canParse(uri)) return true;
    const url = new URL(uri);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
    );
  }, 'must use https (http is allowed for localhost only)')
  .refine((uri) => !URL.canParse(uri) || !new URL(uri).hash, 'must not contain a fragment');

const publicRedirectUri = z
  .string()
  .max(256)
  .refine((uri) => URL.canParse(uri) && !new URL(uri).hash, {
    message: 'must be an absolute URI without a fragment',
  });

const appRole = z
  .object({
    id: z.uuid(),
    allowedMemberTypes: z.array(z.enum(['User', 'Application'])).min(1),
    description: z.string().max(1024),
    displayName: z.string().max(256),
    isEnabled: z.boolean(),
    value: z.string().max(256).nullable(),
  })
  .strict();

/** POST /applications (https://learn.microsoft.com/graph/api/application-post-applications). */
export const createApplicationBody = z
  .object({
    displayName: z.string().min(1).max(256),
    signInAudience: z.enum(['AzureADMyOrg', 'AzureADMultipleOrgs']).optional(),
    web: z
      .object({
        redirectUris: z.array(webRedirectUri).max(256).optional(),
        homePageUrl: webRedirectUri.nullable().optional(),
      })
      .strict()
      .optional(),
    spa: z
      .object({ redirectUris: z.array(webRedirectUri).max(256) })
      .strict()
      .optional(),
    publicClient: z
      .object({ redirectUris: z.array(publicRedirectUri).max(256) })
      .strict()
      .optional(),
    appRoles: z.array(appRole).max(100).optional(),
  })
  .strict();
export type CreateApplicationBody = z.infer<typeof createApplicationBody>;

export const addPasswordBody = z
  .object({
    passwordCredential: z
      .object({
        displayName: z.string().max(256).nullable().optional(),
        endDateTime: z.iso.datetime({ offset: true }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Foyer extension (not in Graph): grant directory API permissions (app roles) to an application, the
 * equivalent of an admin consenting to Microsoft Graph application permissions.
 */
export const grantPermissionsBody = z
  .object({ permissions: z.array(z.enum(allPermissions)).min(1).max(allPermissions.length) })
  .strict();

export const passwordCredential = z.object({
  customKeyIdentifier: z.string().nullable(),
  displayName: z.string().nullable(),
  endDateTime: z.string(),
  hint: z.string(),
  keyId: z.string(),
  secretText: z.string().nullable(),
  startDateTime: z.string(),
});

export const applicationResource = z.object({
  id: z.string(),
  appId: z.string(),
  displayName: z.string(),
  signInAudience: z.string(),
  createdDateTime: z.string(),
  web: z.object({ redirectUris: z.array(z.string()), homePageUrl: z.string().nullable() }),
  spa: z.object({ redirectUris: z.array(z.string()) }),
  publicClient: z.object({ redirectUris: z.array(z.string()) }),
  appRoles: z.array(z.unknown()),
  passwordCredentials: z.array(passwordCredential),
  grantedPermissions: z.array(z.string()),
});
export type ApplicationResource = z.infer<typeof applicationResource>;

export const applicationIdParams = z.object({ id: z.uuid({ message: 'must be an application object id' }) });

/** POST /applications/{id}/removePassword (Graph): the keyId of the credential to remove. */
export const removePasswordBody = z
  .object({ keyId: z.uuid({ message: 'must be a credential keyId' }) })
  .strict();

/** DELETE /applications/{id}/grantedPermissions/{permission} (Foyer extension). */
export const grantedPermissionParams = applicationIdParams.extend({ permission: z.enum(allPermissions) });

export function toPasswordCredential(row: PasswordRow, secretText: string | null = null) {
  return {
    customKeyIdentifier: null,
    displayName: row.display_name,
    endDateTime: row.end_date_time,
    hint: row.hint,
    keyId: row.key_id,
    secretText,
    startDateTime: row.start_date_time,
  };
}

export function toApplicationResource(
  row: ApplicationRow,
  passwords: PasswordRow[],
  permissions: string[],
): ApplicationResource {
  return {
    id: row.id,
    appId: row.app_id,
    displayName: row.display_name,
    signInAudience: row.sign_in_audience,
    createdDateTime: row.created_at,
    web: { redirectUris: JSON.parse(row.web_redirect_uris), homePageUrl: row.web_home_page_url ?? null },
    spa: { redirectUris: JSON.parse(row.spa_redirect_uris) },
    publicClient: { redirectUris: JSON.parse(row.public_client_redirect_uris) },
    appRoles: JSON.parse(row.app_roles),
    passwordCredentials: passwords.map((p) => toPasswordCredential(p)),
    grantedPermissions: permissions,
  };
}
