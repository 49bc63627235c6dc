import type { Services } from '../app/services.js';
import { hashSecret } from '../platform/secrets.js';

/**
 * A form posted after the person's session expired is not lost: its fields wait here (never the CSRF token),
 * keyed by a one-time id that rides through the sign-in in the return URL, and fill the form again once.
 */
const STASH_SECONDS = 3600;
const MAX_FIELDS_BYTES = 64 * 1024;

const hashOf = (services: Services, id: string) => hashSecret(`stash:${id}`, services.config.secret);

/** Never kept: a client secret or a password typed in a form would otherwise sit in the database in clear. */
const SECRET_FIELD = /secret|password/i;

export async function stashForm(
  services: Services,
  tenantId: string,
  path: string,
  fields: Record<string, unknown>,
): Promise<string | undefined> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'csrf' || name.startsWith('_') || SECRET_FIELD.test(name)) continue;
    if (typeof value === 'string') kept[name] = value;
    else if (Array.isArray(value)) kept[name] = value.filter((v) => typeof v === 'string').join('\n');
  }
  const json = JSON.stringify(kept);
  if (json.length > MAX_FIELDS_BYTES) return undefined;
  const id = services.ids.token(24);
  const now = services.clock.now();
  await services.db.deleteFrom('portal_form_stash').where('expires_at', '<', now.toISOString()).execute();
  await services.db
    .insertInto('portal_form_stash')
    .values({
      id_hash: hashOf(services, id),
      tenant_id: tenantId,
      path,
      fields: json,
      expires_at: new Date(now.getTime() + STASH_SECONDS * 1000).toISOString(),
    })
    .execute();
  return id;
}

/** The stashed fields for this tenant and form, removed as they are read (one use). */
export async function takeStash(
  services: Services,
  tenantId: string,
  path: string,
  id: unknown,
): Promise<Record<string, string> | undefined> {
  if (typeof id !== 'string' || id.length > 100) return undefined;
  const row = await services.db
    .deleteFrom('portal_form_stash')
    .where('id_hash', '=', hashOf(services, id))
    .where('tenant_id', '=', tenantId)
    .where('path', '=', path)
    .where('expires_at', '>', services.clock.now().toISOString())
    .returning('fields')
    .executeTakeFirst();
  return row ? (JSON.parse(row.fields) as Record<string, string>) : undefined;
}
