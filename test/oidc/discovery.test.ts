import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BASE_URL, createOidcTestContext, type OidcTestContext } from './setup.js';

let ctx: OidcTestContext;
beforeAll(async () => {
  ctx = await createOidcTestContext();
});
afterAll(async () => ctx?.close());

async function discovery(ref: string, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'GET', url: `/${ref}/v2.0/.well-known/openid-configuration`, headers });
}

describe('discovery', () => {
  test.each([
    ['id', () => ctx.contoso.id],
    ['slug', () => ctx.contoso.slug],
    ['upper-case slug', () => ctx.contoso.slug.toUpperCase()],
    ['verified domain', () => ctx.contoso.domain],
  ])('addressed by %s, the issuer and every endpoint are id-based', async (_label, ref) => {
    const response = await discovery(ref());
    expect(response.statusCode).toBe(200);
    const document = response.json();
    const tenantBase = `${BASE_URL}/${ctx.contoso.id}`;
    expect(document.issuer).toBe(`${tenantBase}/v2.0`);
    expect(document.authorization_endpoint).toBe(`${tenantBase}/oauth2/v2.0/authorize`);
    expect(document.token_endpoint).toBe(`${tenantBase}/oauth2/v2.0/token`);
    expect(document.end_session_endpoint).toBe(`${tenantBase}/oauth2/v2.0/logout`);
    expect(document.jwks_uri).toBe(`${tenantBase}/discovery/v2.0/keys`);
    expect(document.grant_types_supported).toContain('client_credentials');
    expect(document.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
    expect(document.token_endpoint_auth_methods_supported).not.toContain('client_secret_jwt');
    expect(response.headers['request-id']).toBeTruthy();
  });

  test('endpoints use the public base URL, never the Host or X-Forwarded headers of the request', async () => {
    const response = await discovery(ctx.contoso.slug, {
      host: 'internal.svc:8080',
      'x-forwarded-host': 'attacker.example',
      'x-forwarded-proto': 'http',
    });
    expect(response.statusCode).toBe(200);
    const text = response.body;
    expect(text).not.toContain('internal.svc');
    expect(text).not.toContain('attacker.example');
    expect(response.json().token_endpoint).toBe(`${BASE_URL}/${ctx.contoso.id}/oauth2/v2.0/token`);
  });

  test('each tenant has its own issuer', async () => {
    const response = await discovery(ctx.fabrikam.domain);
    expect(response.json().issuer).toBe(`${BASE_URL}/${ctx.fabrikam.id}/v2.0`);
  });

  test.each([
    ['an unknown slug', 'nowhere'],
    ['an unknown id', '00000000-0000-4000-8000-000000000000'],
    ['an unverified domain', 'unverified.example'],
  ])('%s is a 404 in the Graph error envelope', async (_label, ref) => {
    const response = await discovery(ref);
    expect(response.statusCode).toBe(404);
    const body = response.json();
    expect(body.error.code).toBe('Request_ResourceNotFound');
    expect(body.error.innerError['request-id']).toBe(response.headers['request-id']);
  });

  test('the client-request-id is echoed through the hand-off to the provider', async () => {
    const response = await discovery(ctx.contoso.id, { 'client-request-id': 'abc-123' });
    expect(response.headers['client-request-id']).toBe('abc-123');
  });
});

describe('JWKS', () => {
  test('publishes the public RS256 signing key, without private parts, by id, slug and domain', async () => {
    const byId = await ctx.app.inject({ method: 'GET', url: `/${ctx.contoso.id}/discovery/v2.0/keys` });
    expect(byId.statusCode).toBe(200);
    const { keys } = byId.json() as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(typeof keys[0]!.kid).toBe('string');
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(keys[0]).not.toHaveProperty(privatePart);

    for (const ref of [ctx.contoso.slug, ctx.contoso.domain]) {
      const response = await ctx.app.inject({ method: 'GET', url: `/${ref}/discovery/v2.0/keys` });
      expect(response.json()).toEqual(byId.json());
    }
  });

  test('tenants have different keys', async () => {
    const a = await ctx.app.inject({ method: 'GET', url: `/${ctx.contoso.id}/discovery/v2.0/keys` });
    const b = await ctx.app.inject({ method: 'GET', url: `/${ctx.fabrikam.id}/discovery/v2.0/keys` });
    expect(a.json().keys[0].kid).not.toBe(b.json().keys[0].kid);
  });

  test('the private key is stored encrypted', async () => {
    const rows = await ctx.database.db
      .selectFrom('oidc_signing_keys')
      .selectAll()
      .where('tenant_id', '=', ctx.contoso.id)
      .execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.private_jwk_encrypted.startsWith('v1.')).toBe(true);
    expect(row.private_jwk_encrypted).not.toContain('"d"');
    expect(JSON.parse(row.public_jwk)).not.toHaveProperty('d');
  });
});
