import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BASE_URL, createOidcTestContext, type OidcTestContext } from './setup.js';

let ctx: OidcTestContext;
beforeAll(async () => {
  ctx = await createOidcTestContext();
});
afterAll(async () => ctx?.close());

/** A valid RFC 9449 proof for a POST to `url`, signed with a fresh key. */
async function dpopProof(url: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return new SignJWT({ htm: 'POST', htu: url, jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
    .setIssuedAt()
    .sign(privateKey);
}

/**
 * The directory API checks no DPoP proof, so Foyer must not issue DPoP-bound tokens (they would work there as
 * plain bearer tokens) nor advertise DPoP.
 */
describe('DPoP is neither advertised nor bound', () => {
  test.each([
    ['id', () => ctx.contoso.id],
    ['slug', () => ctx.contoso.slug],
  ])('discovery (by %s) lists no dpop_signing_alg_values_supported', async (_label, ref) => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/${ref()}/v2.0/.well-known/openid-configuration`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).not.toHaveProperty('dpop_signing_alg_values_supported');
  });

  test.each([
    ['id', () => ctx.contoso.id],
    ['slug', () => ctx.contoso.slug],
  ])('a token request (by %s) with a DPoP proof gets a Bearer token without cnf', async (_label, ref) => {
    const url = `${BASE_URL}/${ref()}/oauth2/v2.0/token`;
    const { app } = ctx.contoso;
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/${ref()}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await dpopProof(url) },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: `${BASE_URL}/.default`,
      }).toString(),
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.token_type).toBe('Bearer');
    expect(decodeJwt(body.access_token)).not.toHaveProperty('cnf');
  });
});
