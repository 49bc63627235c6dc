import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFoyerError } from '../../src/errors/catalogue.js';
import { rotateSigningKeys } from '../../src/oidc/index.js';
import { publishedPublicJwks } from '../../src/oidc/keys.js';
import { retiredKeyRetentionSeconds } from '../../src/oidc/lifetimes.js';
import { createTokenVerifier } from '../../src/oidc/verify.js';
import { appToken } from '../helpers/tokens.js';
import { BASE_URL, createOidcTestContext, type OidcTestContext } from './setup.js';

let ctx: OidcTestContext;
beforeAll(async () => {
  ctx = await createOidcTestContext();
});
afterAll(async () => ctx?.close());

const contosoToken = () =>
  appToken(ctx.app, {
    tenant: ctx.contoso.id,
    clientId: ctx.contoso.app.clientId,
    clientSecret: ctx.contoso.app.clientSecret,
  });

async function jwks(tenant: string): Promise<{ keys: { kid: string }[] }> {
  const response = await ctx.app.inject({ method: 'GET', url: `/${tenant}/discovery/v2.0/keys` });
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('signing key rotation', () => {
  test('adds a new current key, keeps the old one published, and old tokens keep verifying', async () => {
    const verifier = createTokenVerifier(ctx.services);
    const before = await contosoToken();
    const oldKid = decodeProtectedHeader(before).kid!;
    expect((await jwks(ctx.contoso.id)).keys.map((key) => key.kid)).toEqual([oldKid]);
    await verifier.verify(before); // warms the verifier's key cache with the old set

    const rotation = await rotateSigningKeys(ctx.services, ctx.contoso.id);
    expect(rotation.retiredKids).toEqual([oldKid]);
    expect(rotation.kid).not.toBe(oldKid);

    // The running provider picks the rotation up at once: new tokens carry the new kid.
    const after = await contosoToken();
    expect(decodeProtectedHeader(after).kid).toBe(rotation.kid);

    const published = await jwks(ctx.contoso.slug);
    expect(published.keys.map((key) => key.kid)).toEqual([rotation.kid, oldKid]);

    const keySet = createLocalJWKSet(published as Parameters<typeof createLocalJWKSet>[0]);
    const options = { issuer: `${BASE_URL}/${ctx.contoso.id}/v2.0`, audience: BASE_URL };
    await expect(jwtVerify(before, keySet, options)).resolves.toBeTruthy();
    await expect(jwtVerify(after, keySet, options)).resolves.toBeTruthy();

    // The same verifier instance learns the new kid on first sight, and still accepts the old token.
    await expect(verifier.verify(after)).resolves.toMatchObject({ tenantId: ctx.contoso.id, kind: 'app' });
    await expect(verifier.verify(before)).resolves.toMatchObject({ objectId: ctx.contoso.app.objectId });
  });

  test("only the rotated tenant's keys change", async () => {
    const fabrikamBefore = await jwks(ctx.fabrikam.id);
    await rotateSigningKeys(ctx.services, ctx.contoso.id);
    expect(await jwks(ctx.fabrikam.id)).toEqual(fabrikamBefore);
  });

  test('a retired key leaves the JWKS once every token it signed has expired', async () => {
    const now = ctx.services.clock.now().getTime();
    const retention = retiredKeyRetentionSeconds(ctx.config) * 1000;
    const current = await publishedPublicJwks(ctx.services, ctx.contoso.id);
    expect(current.length).toBeGreaterThan(1);
    const later = { ...ctx.services, clock: { now: () => new Date(now + retention + 60_000) } };
    const published = await publishedPublicJwks(later, ctx.contoso.id);
    expect(published.map((key) => key.kid)).toEqual([current[0]!.kid]);
  });

  test('rotating an unknown tenant is a notFound error', async () => {
    const error = await rotateSigningKeys(ctx.services, '00000000-0000-4000-8000-000000000000').catch(
      (e) => e,
    );
    expect(isFoyerError(error) && error.key).toBe('notFound');
  });

  test('exactly one current key per tenant, enforced by the database', async () => {
    const rows = await ctx.database.db
      .selectFrom('oidc_signing_keys')
      .select(['kid', 'retired_at'])
      .where('tenant_id', '=', ctx.contoso.id)
      .execute();
    expect(rows.filter((row) => row.retired_at === null)).toHaveLength(1);
    const current = await ctx.database.db
      .selectFrom('oidc_signing_keys')
      .selectAll()
      .where('tenant_id', '=', ctx.contoso.id)
      .where('retired_at', 'is', null)
      .executeTakeFirstOrThrow();
    await expect(
      ctx.database.db
        .insertInto('oidc_signing_keys')
        .values({ ...current, kid: 'another-current-key' })
        .execute(),
    ).rejects.toThrow();
  });
});
