import { importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFoyerError } from '../../src/errors/catalogue.js';
import { loadTenantSigningKeys } from '../../src/oidc/keys.js';
import { createTokenVerifier } from '../../src/oidc/verify.js';
import { movableClock } from '../helpers/clock.js';
import { appToken } from '../helpers/tokens.js';
import { BASE_URL, createOidcTestContext, type OidcTestContext } from './setup.js';

let ctx: OidcTestContext;
let token: string;
beforeAll(async () => {
  ctx = await createOidcTestContext();
  token = await appToken(ctx.app, {
    tenant: ctx.contoso.slug,
    clientId: ctx.contoso.app.clientId,
    clientSecret: ctx.contoso.app.clientSecret,
  });
});
afterAll(async () => ctx?.close());

const issuer = (tenantId: string) => `${BASE_URL}/${tenantId}/v2.0`;

/** A token signed with a tenant's real private key, with claims of the test's choosing. */
async function forge(
  tenantId: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
) {
  const keys = await loadTenantSigningKeys(ctx.services, tenantId);
  const jwk = keys.privateJwks[0] as JWK;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: issuer(tenantId),
    aud: BASE_URL,
    tid: tenantId,
    oid: ctx.contoso.app.objectId,
    azp: ctx.contoso.app.clientId,
    idtyp: 'app',
    roles: ['User.Read.All'],
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid!, ...header })
    .sign(await importJWK(jwk, 'RS256'));
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isFoyerError(error)).toBe(true);
  if (!isFoyerError(error)) throw error;
  expect(error.key).toBe('unauthenticated');
  expect(error.status).toBe(401);
  return error.message;
}

describe('token verifier', () => {
  test('accepts a token from the token endpoint and maps its claims', async () => {
    const claims = await createTokenVerifier(ctx.services).verify(token);
    expect(claims).toMatchObject({
      tenantId: ctx.contoso.id,
      objectId: ctx.contoso.app.objectId,
      appId: ctx.contoso.app.clientId,
      kind: 'app',
      scopes: [],
    });
    expect([...claims.roles].sort()).toEqual([...ctx.contoso.app.permissions].sort());
    expect(claims.raw.app_displayname).toBe(ctx.contoso.app.displayName);
  });

  test('a warm verifier does not touch the database', async () => {
    const verifier = createTokenVerifier(ctx.services);
    await verifier.verify(token);
    const offline = createTokenVerifier({
      ...ctx.services,
      db: new Proxy(ctx.services.db, {
        get() {
          throw new Error('database touched');
        },
      }),
    });
    await expect(offline.verify(token)).rejects.toThrow(); // cold: needs the keys
    for (let i = 0; i < 3; i++) await expect(verifier.verify(token)).resolves.toBeTruthy();
  });

  test('rejects an expired token (by the injected clock)', async () => {
    const clock = movableClock();
    clock.advance(2 * 3600 * 1000);
    const later = { ...ctx.services, clock };
    expect(await rejection(createTokenVerifier(later).verify(token))).toMatch(/expired/);
  });

  test('rejects a token for another audience', async () => {
    const forged = await forge(ctx.contoso.id, { aud: 'https://graph.microsoft.com' });
    expect(await rejection(createTokenVerifier(ctx.services).verify(forged))).toMatch(/audience/);
  });

  test("rejects a token whose issuer is another tenant's", async () => {
    const forged = await forge(ctx.contoso.id, { iss: issuer(ctx.fabrikam.id) });
    expect(await rejection(createTokenVerifier(ctx.services).verify(forged))).toMatch(/issuer/i);
  });

  test("rejects a token signed with another tenant's key", async () => {
    const keys = await loadTenantSigningKeys(ctx.services, ctx.fabrikam.id);
    const jwk = keys.privateJwks[0] as JWK;
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      iss: issuer(ctx.contoso.id),
      aud: BASE_URL,
      tid: ctx.contoso.id,
      oid: 'x',
      azp: 'y',
      iat: now,
      exp: now + 600,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid! })
      .sign(await importJWK(jwk, 'RS256'));
    expect(await rejection(createTokenVerifier(ctx.services).verify(forged))).toMatch(/signature/i);
  });

  test('rejects a tampered payload (bad signature)', async () => {
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.roles = ['Directory.ReadWrite.All'];
    const tampered = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    expect(await rejection(createTokenVerifier(ctx.services).verify(tampered))).toMatch(/bad signature/);
  });

  test('rejects alg none', async () => {
    const [, payload] = token.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    await rejection(createTokenVerifier(ctx.services).verify(unsigned));
  });

  test('rejects a token whose tid is not a tenant here', async () => {
    const forged = await forge(ctx.contoso.id, { tid: '00000000-0000-4000-8000-000000000000' });
    expect(await rejection(createTokenVerifier(ctx.services).verify(forged))).toMatch(/tenant/);
  });

  test('rejects an ID-token-typed JWT', async () => {
    const forged = await forge(ctx.contoso.id, {}, { typ: 'JWT' });
    expect(await rejection(createTokenVerifier(ctx.services).verify(forged))).toMatch(/not an access token/);
  });

  test.each([
    ['garbage', 'not-a-token'],
    ['an empty string', ''],
    ['three garbage segments', 'a.b.c'],
    [
      'a JWT without tid',
      `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`,
    ],
  ])('rejects %s as malformed', async (_label, bearer) => {
    expect(await rejection(createTokenVerifier(ctx.services).verify(bearer))).toMatch(/malformed|tid/);
  });
});
