import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { publish } from '../audit/publish.js';
import { authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { Database } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import { findTenantById } from './store.js';

/**
 * The organisation's branding (PRODUCT §7): a logo uploaded to and served by Foyer, and the privacy statement
 * URL. Both appear on every page and in the invitation mail (they read tenants.logo_url and
 * privacy_statement_url). Global Administrators only (writeOrganization).
 */
export const MAX_LOGO_BYTES = 256 * 1024;
const LOGO_TYPES: Record<string, (bytes: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

/** Where Foyer serves a tenant's logo; the version changes with each upload so caches never show an old one. */
export const logoUrlOf = (baseUrl: string, tenantId: string, version: string) =>
  `${baseUrl}/${tenantId}/branding/logo?v=${version}`;

/** The change and its audit entry commit together. */
async function audited(
  trx: Transaction<Database>,
  services: Services,
  principal: Principal,
  property: string,
  oldValue: string | null,
  newValue: string | null,
) {
  const tenant = await findTenantById(trx, principal.tenantId);
  await publish(trx, services, {
    type: 'organization.branding.updated',
    tenantId: principal.tenantId,
    actor: actorOf(principal),
    targets: [
      {
        id: principal.tenantId,
        type: 'Tenant',
        displayName: tenant?.display_name ?? null,
        modifiedProperties: [{ displayName: property, oldValue, newValue }],
      },
    ],
    correlationId: services.ids.uuid(),
  });
}

/** Stores a logo whose bytes are a PNG, JPEG or WebP image. */
export async function setLogo(services: Services, principal: Principal, bytes: Buffer) {
  authorize(principal, 'writeOrganization');
  // The type is read from the bytes themselves, never from the file name or the declared type.
  const contentType = Object.entries(LOGO_TYPES).find(([, looksLike]) => looksLike(bytes))?.[0];
  if (!contentType) throw new FoyerError('invalidValue', 'The logo must be a PNG, JPEG or WebP image.');
  if (bytes.length > MAX_LOGO_BYTES) throw new FoyerError('invalidValue', 'The logo must be at most 256 KB.');
  const now = services.clock.now().toISOString();
  const url = logoUrlOf(services.config.baseUrl, principal.tenantId, services.ids.token(6));
  const row = {
    tenant_id: principal.tenantId,
    content_type: contentType,
    data: bytes.toString('base64'),
    updated_at: now,
  };
  await services.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('tenant_logos')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('tenant_id')
          .doUpdateSet({ content_type: row.content_type, data: row.data, updated_at: now }),
      )
      .execute();
    await trx.updateTable('tenants').set({ logo_url: url }).where('id', '=', principal.tenantId).execute();
    await audited(trx, services, principal, 'logo', null, url);
  });
}

export async function removeLogo(services: Services, principal: Principal) {
  authorize(principal, 'writeOrganization');
  await services.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('tenant_logos').where('tenant_id', '=', principal.tenantId).execute();
    await trx.updateTable('tenants').set({ logo_url: null }).where('id', '=', principal.tenantId).execute();
    await audited(trx, services, principal, 'logo', null, null);
  });
}

export async function setPrivacyStatementUrl(services: Services, principal: Principal, value: string) {
  authorize(principal, 'writeOrganization');
  const url = value.trim();
  if (url !== '' && !(URL.canParse(url) && new URL(url).protocol === 'https:' && url.length <= 2048)) {
    throw new FoyerError('invalidValue', 'privacyStatementUrl: must be an absolute https URL.');
  }
  const before = await findTenantById(services.db, principal.tenantId);
  const next = url === '' ? null : new URL(url).href;
  await services.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('tenants')
      .set({ privacy_statement_url: next })
      .where('id', '=', principal.tenantId)
      .execute();
    await audited(
      trx,
      services,
      principal,
      'privacyStatementUrl',
      before?.privacy_statement_url ?? null,
      next,
    );
  });
}

/** The stored logo, for the public logo route (no authorization: it is shown on sign-in pages and in mail). */
export async function readLogo(services: Services, tenantId: string) {
  return services.db
    .selectFrom('tenant_logos')
    .select(['content_type', 'data', 'updated_at'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}
