import type { Services } from '../app/services.js';
import type { Target } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { isUniqueViolation, violatedConstraint } from '../db/errors.js';
import { FoyerError } from '../errors/catalogue.js';
import {
  callbackUrlOf,
  checkMetadata,
  forgetDiscovery,
  googleMetadataUrl,
  MetadataProblem,
  sealClientSecret,
} from './provider-client.js';
import {
  type ClaimsMapping,
  type CreateProviderBody,
  DEFAULT_CLAIMS,
  DEFAULT_SCOPE,
  MASKED_SECRET,
  OIDC_TYPE,
  type PatchProviderBody,
  type ProviderResource,
  SOCIAL_TYPE,
} from './schemas.js';
import {
  countBoundGuests,
  deleteProvider,
  findProvider,
  type IdentityProviderRow,
  insertProvider,
  listProviders,
  replaceDomains,
  type StoredProvider,
  updateProvider,
} from './store.js';

/** The Graph resource of a stored provider: the secret masked as Graph does, the callback URL to register. */
export function toResource(services: Services, { row, domains }: StoredProvider): ProviderResource {
  const callbackUrl = callbackUrlOf(services.config.baseUrl);
  if (row.kind === 'google') {
    return {
      '@odata.type': SOCIAL_TYPE,
      id: row.id,
      displayName: row.display_name,
      identityProviderType: 'Google',
      clientId: row.client_id,
      clientSecret: MASKED_SECRET,
      callbackUrl,
    };
  }
  return {
    '@odata.type': OIDC_TYPE,
    id: row.id,
    displayName: row.display_name,
    clientId: row.client_id,
    clientSecret: MASKED_SECRET,
    metadataUrl: row.metadata_url,
    scope: row.scope,
    responseType: 'code',
    claimsMapping: JSON.parse(row.claims_mapping) as ClaimsMapping,
    domains,
    callbackUrl,
  };
}

const notFound = (id: string) =>
  new FoyerError(
    'notFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

async function requireProvider(services: Services, tenantId: string, id: string) {
  const found = await findProvider(services.db, tenantId, id);
  if (!found) throw notFound(id);
  return found;
}

/** Metadata problems are the administrator's to fix: a Graph 400 that says what is wrong. */
async function verifiedIssuer(services: Services, metadataUrl: string, expectedIssuer?: string) {
  try {
    return (await checkMetadata(services.config, metadataUrl, expectedIssuer)).issuer;
  } catch (error) {
    if (error instanceof MetadataProblem)
      throw new FoyerError('identityProviderMetadataInvalid', error.message);
    throw error;
  }
}

/** A second provider with the same issuer or a domain another one serves: a clear 400, never a 500. */
function duplicate(error: unknown): never {
  if (!isUniqueViolation(error)) throw error;
  const which = violatedConstraint(error);
  throw new FoyerError(
    'duplicateValue',
    /domain/i.test(which)
      ? 'Another identity provider of this tenant already serves one of these domains.'
      : 'An identity provider with this issuer already exists in this tenant (one Google provider per tenant).',
  );
}

const target = (row: IdentityProviderRow, modified?: Target['modifiedProperties']): Target => ({
  id: row.id,
  type: 'Other',
  displayName: row.display_name,
  ...(modified && { modifiedProperties: modified }),
});

export async function listIdentityProviders(services: Services, principal: Principal) {
  authorize(principal, 'readIdentityProviders');
  return (await listProviders(services.db, principal.tenantId)).map((p) => toResource(services, p));
}

export async function readIdentityProvider(services: Services, principal: Principal, id: string) {
  authorize(principal, 'readIdentityProviders');
  return toResource(services, await requireProvider(services, principal.tenantId, id));
}

export async function createIdentityProvider(
  services: Services,
  principal: Principal,
  body: CreateProviderBody,
  correlationId: string,
) {
  authorize(principal, 'writeIdentityProviders');
  const { tenantId } = principal;
  const id = services.ids.uuid();
  const now = services.clock.now().toISOString();
  const google = body['@odata.type'] === SOCIAL_TYPE;
  const metadataUrl = google ? googleMetadataUrl(services.config) : body.metadataUrl;
  const issuer = await verifiedIssuer(
    services,
    metadataUrl,
    google ? services.config.googleIssuer : undefined,
  );
  const row: IdentityProviderRow = {
    tenant_id: tenantId,
    id,
    kind: google ? 'google' : 'oidc',
    display_name: body.displayName,
    client_id: body.clientId,
    client_secret_encrypted: sealClientSecret(services.config, tenantId, id, body.clientSecret),
    metadata_url: metadataUrl,
    issuer,
    scope: google ? DEFAULT_SCOPE : (body.scope ?? DEFAULT_SCOPE),
    response_type: 'code',
    claims_mapping: JSON.stringify({ ...DEFAULT_CLAIMS, ...(!google && body.claimsMapping) }),
    created_at: now,
    updated_at: now,
  };
  const domains = google ? [] : [...new Set(body.domains ?? [])];
  await services.db
    .transaction()
    .execute(async (trx) => {
      await insertProvider(trx, row, domains);
      await publish(trx, services, {
        type: 'identityProvider.created',
        tenantId,
        actor: actorOf(principal),
        targets: [target(row)],
        details: { issuer, domains: domains.join(' ') },
        correlationId,
      });
    })
    .catch(duplicate);
  return toResource(services, { row, domains });
}

export async function updateIdentityProvider(
  services: Services,
  principal: Principal,
  id: string,
  body: PatchProviderBody,
  correlationId: string,
) {
  authorize(principal, 'writeIdentityProviders');
  const { tenantId } = principal;
  const { row, domains } = await requireProvider(services, tenantId, id);
  const google = row.kind === 'google';
  const kindOf = google ? SOCIAL_TYPE : OIDC_TYPE;
  if (body['@odata.type'] !== undefined && body['@odata.type'] !== kindOf) {
    throw new FoyerError('invalidValue', `@odata.type cannot change: this provider is ${kindOf}.`);
  }
  const oidcOnly = ['metadataUrl', 'scope', 'responseType', 'claimsMapping', 'domains'] as const;
  const misplaced = google
    ? oidcOnly.filter((key) => body[key] !== undefined)
    : body.identityProviderType
      ? ['identityProviderType']
      : [];
  if (misplaced.length > 0) {
    throw new FoyerError('invalidValue', `Not a property of ${kindOf}: ${misplaced.join(', ')}.`);
  }
  const changes: Partial<IdentityProviderRow> = { updated_at: services.clock.now().toISOString() };
  if (body.displayName !== undefined) changes.display_name = body.displayName;
  if (body.clientId !== undefined) changes.client_id = body.clientId;
  if (body.clientSecret !== undefined && body.clientSecret !== MASKED_SECRET) {
    changes.client_secret_encrypted = sealClientSecret(services.config, tenantId, id, body.clientSecret);
  }
  if (body.scope !== undefined) changes.scope = body.scope;
  if (body.claimsMapping !== undefined) {
    const before = JSON.parse(row.claims_mapping) as ClaimsMapping;
    changes.claims_mapping = JSON.stringify({ ...before, ...body.claimsMapping });
  }
  if (body.metadataUrl !== undefined && body.metadataUrl !== row.metadata_url) {
    const issuer = await verifiedIssuer(services, body.metadataUrl);
    // Guests are bound to the issuer: moving the provider elsewhere would strand them.
    if (issuer !== row.issuer && (await countBoundGuests(services.db, tenantId, row.issuer)) > 0) {
      throw new FoyerError(
        'identityProviderInUse',
        `Guests sign in with ${row.issuer}: reset their redemption before pointing this provider at another issuer.`,
      );
    }
    changes.metadata_url = body.metadataUrl;
    changes.issuer = issuer;
  }
  const nextDomains = body.domains ? [...new Set(body.domains)] : domains;
  const before: Record<string, unknown> = {
    displayName: row.display_name,
    clientId: row.client_id,
    metadataUrl: row.metadata_url,
    scope: row.scope,
    responseType: row.response_type,
    claimsMapping: JSON.parse(row.claims_mapping),
    domains,
    identityProviderType: google ? 'Google' : undefined,
  };
  const modified = Object.entries(body)
    .filter(([key]) => key !== '@odata.type')
    .map(([key, value]) => ({
      displayName: key,
      // The secret is never written anywhere, the audit log included.
      oldValue: key === 'clientSecret' ? null : (JSON.stringify(before[key]) ?? null),
      newValue: key === 'clientSecret' ? null : JSON.stringify(value),
    }));
  await services.db
    .transaction()
    .execute(async (trx) => {
      await updateProvider(trx, tenantId, id, changes);
      if (body.domains) await replaceDomains(trx, tenantId, id, nextDomains);
      await publish(trx, services, {
        type: 'identityProvider.updated',
        tenantId,
        actor: actorOf(principal),
        targets: [target({ ...row, ...changes }, modified)],
        correlationId,
      });
    })
    .catch(duplicate);
  // The next sign-in reads the provider's metadata again (other instances see the new updated_at).
  forgetDiscovery(services, id);
}

export async function deleteIdentityProvider(
  services: Services,
  principal: Principal,
  id: string,
  correlationId: string,
) {
  authorize(principal, 'writeIdentityProviders');
  const { tenantId } = principal;
  const { row } = await requireProvider(services, tenantId, id);
  await services.db.transaction().execute(async (trx) => {
    const bound = await countBoundGuests(trx, tenantId, row.issuer);
    if (bound > 0) {
      throw new FoyerError(
        'identityProviderInUse',
        `${bound} guest(s) sign in with this identity provider. Reset their redemption status first (POST /v1.0/invitations with resetRedemption), then delete it.`,
      );
    }
    await deleteProvider(trx, tenantId, id);
    await publish(trx, services, {
      type: 'identityProvider.deleted',
      tenantId,
      actor: actorOf(principal),
      targets: [target(row)],
      details: { issuer: row.issuer },
      correlationId,
    });
  });
  forgetDiscovery(services, id);
}
