import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../src/app.js';
import { isFoyerError } from '../../src/errors/catalogue.js';
import { rotateSigningKeys } from '../../src/oidc/index.js';
import { publishedPublicJwks, signingKeysProblem } from '../../src/oidc/keys.js';
import { retiredKeyRetentionSeconds, SIGNING_KEY_CACHE_SECONDS } from '../../src/oidc/lifetimes.js';
import { createTokenVerifier } from '../../src/oidc/verify.js';
import { movableClock, standingClock } from '../helpers/clock.js';
import { appToken } from '../helpers/tokens.js';
import { BASE_URL, createOidcTestContext, type OidcTestContext } from './setup.js';

const GRACE_MS = 600_000; // FOYER_KEY_ROTATION_GRACE_SECONDS' default
const clock = movableClock();
let ctx: OidcTestContext;
beforeAll(async () => {
  ctx = await createOidcTestContext({ clock });
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
  test('publishes the new key at once, signs with it only after the grace period, and old tokens keep verifying', async () => {
    const verifier = createTokenVerifier(ctx.services);
    const before = await contosoToken();
    const oldKid = decodeProtectedHeader(before).kid!;
    expect((await jwks(ctx.contoso.id)).keys.map((key) => key.kid)).toEqual([oldKid]);
    await verifier.verify(before); // warms the verifier's key cache with the old set

    const rotatedAt = clock.now().getTime();
    const rotation = await rotateSigningKeys(ctx.services, ctx.contoso.id);
    expect(rotation.retiredKids).toEqual([oldKid]);
    expect(rotation.kid).not.toBe(oldKid);
    expect(Date.parse(rotation.signsFrom) - rotatedAt).toBeGreaterThanOrEqual(GRACE_MS);

    // Relying parties are told to refresh the key set well inside the grace period.
    const keysResponse = await ctx.app.inject({
      method: 'GET',
      url: `/${ctx.contoso.id}/discovery/v2.0/keys`,
    });
    const maxAge = Number(/max-age=(\d+)/.exec(String(keysResponse.headers['cache-control']))?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge * 1000).toBeLessThan(GRACE_MS);

    // At once: the JWKS carries both keys, and the old key still signs. A relying party caches this set.
    const cachedByRelyingParty = await jwks(ctx.contoso.slug);
    expect(cachedByRelyingParty.keys.map((key) => key.kid)).toEqual([oldKid, rotation.kid]);
    expect(decodeProtectedHeader(await contosoToken()).kid).toBe(oldKid);

    // Later than any instance's key cache, still inside the grace period: still the old key.
    clock.advance(SIGNING_KEY_CACHE_SECONDS * 1000 + 1_000);
    expect(decodeProtectedHeader(await contosoToken()).kid).toBe(oldKid);

    // After the grace period, the new key signs.
    clock.advance(GRACE_MS);
    const after = await contosoToken();
    expect(decodeProtectedHeader(after).kid).toBe(rotation.kid);
    const published = await jwks(ctx.contoso.slug);
    expect(published.keys.map((key) => key.kid)).toEqual([rotation.kid, oldKid]);

    // The relying party never meets an unknown kid: the set it cached at rotation time verifies both tokens.
    const keySet = createLocalJWKSet(cachedByRelyingParty as Parameters<typeof createLocalJWKSet>[0]);
    const options = {
      issuer: `${BASE_URL}/${ctx.contoso.id}/v2.0`,
      audience: BASE_URL,
      currentDate: clock.now(),
    };
    await expect(jwtVerify(before, keySet, { ...options, clockTolerance: 3600 })).resolves.toBeTruthy();
    await expect(jwtVerify(after, keySet, options)).resolves.toBeTruthy();

    // The same verifier instance learns the new kid on first sight, and still accepts the old token.
    await expect(verifier.verify(after)).resolves.toMatchObject({ tenantId: ctx.contoso.id, kind: 'app' });
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
    const later = { ...ctx.services, clock: standingClock(now + GRACE_MS + retention + 60_000) };
    const published = await publishedPublicJwks(later, ctx.contoso.id);
    const { kid: currentKid } = await ctx.database.db
      .selectFrom('oidc_signing_keys')
      .select('kid')
      .where('tenant_id', '=', ctx.contoso.id)
      .where('retired_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(published.map((key) => key.kid)).toEqual([currentKid]);
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

describe('a changed FOYER_SECRET', () => {
  test('is reported before serving: /readyz fails and says why; the start-up check names the problem', async () => {
    await contosoToken(); // the tenant has a key, encrypted under the current secret
    expect(await signingKeysProblem(ctx.services)).toBeUndefined();
    const otherSecret = 'a-different-secret-than-the-keys-were-made-with-0123';
    const config = { ...ctx.config, secret: otherSecret };
    expect(await signingKeysProblem({ ...ctx.services, config })).toMatch(
      /^FOYER_SECRET does not decrypt the signing keys of \d+ tenant\(s\) \(.*\): it is not the secret/,
    );
    const app = await buildApp({ config, database: ctx.database, logger: false });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'signing keys unreadable',
        reason: expect.stringContaining(ctx.contoso.id),
      });
    } finally {
      await app.close();
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
