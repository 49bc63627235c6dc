import { resolveTxt } from 'node:dns/promises';
import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { type Actor, systemActor } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Database } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import { defaultAuthorizationPolicy } from '../policies/schemas.js';
import { writePolicy } from '../policies/store.js';
import {
  findDomain,
  findTenantByRef,
  insertDomain,
  insertTenant,
  markDomainVerified,
  type TenantRow,
} from './store.js';

export interface CreateTenantInput {
  displayName: string;
  slug?: string | undefined;
  defaultLanguage?: string | undefined;
  privacyStatementUrl?: string | undefined;
}

/** "Contoso Ltd." → "contoso-ltd": lowercase letters, digits and single hyphens. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Writes a new tenant with its default domain and policies inside the caller's transaction (provisioning adds
 * its administrator and automation app in the same one, so a tenant never exists half made).
 */
export async function createTenant(
  trx: Transaction<Database>,
  services: Services,
  input: CreateTenantInput,
  actor: Actor = systemActor,
): Promise<TenantRow> {
  const slug = input.slug ?? slugify(input.displayName);
  if (!SLUG_PATTERN.test(slug)) {
    throw new FoyerError(
      'invalidValue',
      `Invalid tenant slug '${slug}': use lowercase letters, digits and hyphens.`,
    );
  }
  const now = services.clock.now().toISOString();
  const tenant: TenantRow = {
    id: services.ids.uuid(),
    slug,
    display_name: input.displayName,
    default_domain: `${slug}.${services.config.domainSuffix}`,
    default_language: input.defaultLanguage ?? 'en-US',
    logo_url: null,
    privacy_statement_url: input.privacyStatementUrl ?? null,
    created_at: now,
  };
  await insertTenant(trx, tenant);
  await insertDomain(trx, tenant.id, {
    domain: tenant.default_domain,
    verified: true,
    verificationToken: services.ids.token(16),
    now,
  });
  await writePolicy(trx, tenant.id, 'authorizationPolicy', defaultAuthorizationPolicy, now);
  await publish(trx, services, {
    type: 'tenant.created',
    tenantId: tenant.id,
    actor,
    targets: [{ id: tenant.id, type: 'Tenant', displayName: tenant.display_name }],
    correlationId: services.ids.uuid(),
  });
  return tenant;
}

export async function requireTenant(services: Services, ref: string): Promise<TenantRow> {
  const tenant = await findTenantByRef(services.db, ref);
  if (!tenant) throw new FoyerError('notFound', `Tenant '${ref}' does not exist.`);
  return tenant;
}

const DOMAIN_PATTERN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Adds an unverified custom domain and returns the TXT record its owner must publish. */
export async function addDomain(
  services: Services,
  tenantRef: string,
  domain: string,
  actor: Actor = systemActor,
) {
  const tenant = await requireTenant(services, tenantRef);
  const name = domain.toLowerCase();
  if (!DOMAIN_PATTERN.test(name))
    throw new FoyerError('invalidValue', `'${domain}' is not a valid domain name.`);
  if (name.endsWith(`.${services.config.domainSuffix}`)) {
    throw new FoyerError(
      'invalidValue',
      `Domains under ${services.config.domainSuffix} are reserved for tenants.`,
    );
  }
  const token = services.ids.token(16);
  const now = services.clock.now().toISOString();
  try {
    await services.db.transaction().execute(async (trx) => {
      await insertDomain(trx, tenant.id, { domain: name, verified: false, verificationToken: token, now });
      await publish(trx, services, {
        type: 'domain.added',
        tenantId: tenant.id,
        actor,
        targets: [{ id: name, type: 'Other', displayName: name }],
        correlationId: services.ids.uuid(),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new FoyerError('duplicateValue', `The domain '${name}' is already in use.`);
    throw error;
  }
  return { domain: name, verified: false, txtRecord: `foyer-verification=${token}` };
}

/**
 * Verifies a custom domain: by its DNS TXT record `foyer-verification=<token>`, or unconditionally when the
 * instance operator says so (`force`, the CLI's `domain verify --force`).
 */
export async function verifyDomain(
  services: Services,
  tenantRef: string,
  domain: string,
  options: { force?: boolean; actor?: Actor } = {},
) {
  const tenant = await requireTenant(services, tenantRef);
  const row = await findDomain(services.db, domain);
  if (!row || row.tenant_id !== tenant.id) {
    throw new FoyerError('notFound', `The domain '${domain}' is not registered for this tenant.`);
  }
  if (!row.verified && !options.force) {
    const expected = `foyer-verification=${row.verification_token}`;
    const records = await resolveTxt(row.domain).catch(() => [] as string[][]);
    if (!records.some((chunks) => chunks.join('') === expected)) {
      throw new FoyerError(
        'badRequest',
        `No TXT record '${expected}' was found for ${row.domain}. Publish it and try again.`,
      );
    }
  }
  const now = services.clock.now().toISOString();
  await services.db.transaction().execute(async (trx) => {
    await markDomainVerified(trx, tenant.id, row.domain, now);
    await publish(trx, services, {
      type: 'domain.verified',
      tenantId: tenant.id,
      actor: options.actor ?? systemActor,
      targets: [{ id: row.domain, type: 'Other', displayName: row.domain }],
      correlationId: services.ids.uuid(),
    });
  });
  return { domain: row.domain, verified: true };
}
