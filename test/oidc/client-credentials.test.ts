import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENT_CACHE_MS } from '../../src/oidc/clients.js';
import { movableClock } from '../helpers/clock.js';
import { appToken } from '../helpers/tokens.js';
import { BASE_URL, createOidcTestContext, type OidcTestContext, type SeededApplication } from './setup.js';

let ctx: OidcTestContext;
const clock = movableClock();
beforeAll(async () => {
  ctx = await createOidcTestContext({ clock });
});

/**
 * These tests change the database behind Foyer's back, as another instance would: the token endpoint sees it
 * once what it cached has aged out (CLIENT_CACHE_MS; through the API, this instance sees it at once).
 */
function afterAnotherInstanceChanged() {
  clock.advance(CLIENT_CACHE_MS + 1_000);
}
afterAll(async () => ctx?.close());

const DEFAULT_SCOPE = `${BASE_URL}/.default`;

function tokenRequest(tenant: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return ctx.app.inject({
    method: 'POST',
    url: `/${tenant}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}

const credentials = (app: SeededApplication, overrides: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: app.clientId,
  client_secret: app.clientSecret,
  scope: DEFAULT_SCOPE,
  ...overrides,
});

describe('client credentials', () => {
  test('issues an RS256 JWT access token with the Entra app-only claims (client_secret_post)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await tokenRequest(ctx.contoso.slug, credentials(ctx.contoso.app));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: DEFAULT_SCOPE });

    const header = decodeProtectedHeader(body.access_token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const claims = decodeJwt(body.access_token);
    const { app } = ctx.contoso;
    expect(claims).toMatchObject({
      aud: BASE_URL,
      iss: `${BASE_URL}/${ctx.contoso.id}/v2.0`,
      tid: ctx.contoso.id,
      oid: app.objectId,
      sub: app.objectId,
      azp: app.clientId,
      appid: app.clientId,
      idtyp: 'app',
      app_displayname: app.displayName,
    });
    expect([...(claims.roles as string[])].sort()).toEqual([...app.permissions].sort());
    expect(claims).not.toHaveProperty('scp');
    expect(claims.exp! - claims.iat!).toBe(ctx.config.accessTokenTtlSeconds);
    expect(claims.iat!).toBeGreaterThanOrEqual(before - 1);

    // The signature verifies against the tenant's published JWKS.
    const jwks = await ctx.app.inject({ method: 'GET', url: `/${ctx.contoso.id}/discovery/v2.0/keys` });
    const verified = await jwtVerify(body.access_token, createLocalJWKSet(jwks.json()), {
      issuer: `${BASE_URL}/${ctx.contoso.id}/v2.0`,
      audience: BASE_URL,
      algorithms: ['RS256'],
    });
    expect(verified.protectedHeader.kid).toBe(jwks.json().keys[0].kid);
  });

  test('accepts client_secret_basic', async () => {
    const { app } = ctx.contoso;
    const basic = Buffer.from(
      `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`,
    ).toString('base64');
    const response = await tokenRequest(
      ctx.contoso.id,
      { grant_type: 'client_credentials', scope: DEFAULT_SCOPE },
      { authorization: `Basic ${basic}` },
    );
    expect(response.statusCode).toBe(200);
    expect(decodeJwt(response.json().access_token).oid).toBe(app.objectId);
  });

  test('roles follow the granted permissions from one token to the next, within the client cache bound', async () => {
    const { app } = ctx.contoso;
    const grant = {
      tenant_id: ctx.contoso.id,
      application_id: app.objectId,
      permission: 'Group.ReadWrite.All',
    };
    await ctx.database.db.insertInto('application_permissions').values(grant).execute();
    try {
      afterAnotherInstanceChanged();
      const granted = await tokenRequest(ctx.contoso.id, credentials(app));
      expect(decodeJwt(granted.json().access_token).roles).toContain('Group.ReadWrite.All');
    } finally {
      await ctx.database.db
        .deleteFrom('application_permissions')
        .where('tenant_id', '=', grant.tenant_id)
        .where('application_id', '=', grant.application_id)
        .where('permission', '=', grant.permission)
        .execute();
    }
    afterAnotherInstanceChanged();
    const revoked = await tokenRequest(ctx.contoso.id, credentials(app));
    clock.reset();
    expect(decodeJwt(revoked.json().access_token).roles).not.toContain('Group.ReadWrite.All');
  });

  test('an application without permissions gets an empty roles claim', async () => {
    const { app } = ctx.fabrikam;
    await ctx.database.db
      .deleteFrom('application_permissions')
      .where('tenant_id', '=', ctx.fabrikam.id)
      .where('application_id', '=', app.objectId)
      .execute();
    try {
      afterAnotherInstanceChanged();
      const response = await tokenRequest(ctx.fabrikam.id, credentials(app));
      expect(response.statusCode).toBe(200);
      expect(decodeJwt(response.json().access_token).roles).toEqual([]);
    } finally {
      await ctx.database.db
        .insertInto('application_permissions')
        .values(
          app.permissions.map((permission) => ({
            tenant_id: ctx.fabrikam.id,
            application_id: app.objectId,
            permission,
          })),
        )
        .execute();
      // Back to real time: what was read in the future counts as stale, so the next token reads afresh.
      clock.reset();
    }
  });

  test('counts issued tokens in /metrics', async () => {
    await tokenRequest(ctx.contoso.id, credentials(ctx.contoso.app));
    const metrics = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /foyer_tokens_issued_total\{grant="client_credentials",kind="access_token"\} [1-9]/,
    );
  });

  test('the appToken test helper returns a token the same way', async () => {
    const token = await appToken(ctx.app, {
      tenant: ctx.fabrikam.slug,
      clientId: ctx.fabrikam.app.clientId,
      clientSecret: ctx.fabrikam.app.clientSecret,
    });
    expect(decodeJwt(token)).toMatchObject({ tid: ctx.fabrikam.id, roles: ['Directory.Read.All'] });
  });
});

describe('client authentication failures are invalid_client 401', () => {
  test('wrong secret', async () => {
    const response = await tokenRequest(
      ctx.contoso.id,
      credentials(ctx.contoso.app, { client_secret: `${ctx.contoso.app.clientSecret}x` }),
    );
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
  });

  test('wrong secret over client_secret_basic carries WWW-Authenticate', async () => {
    const basic = Buffer.from(`${ctx.contoso.app.clientId}:nope`).toString('base64');
    const response = await tokenRequest(
      ctx.contoso.id,
      { grant_type: 'client_credentials', scope: DEFAULT_SCOPE },
      { authorization: `Basic ${basic}` },
    );
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
  });

  test('a secret accepted a moment ago for one client authenticates no other client of the tenant', async () => {
    // The first request leaves the secret in the accepted-secrets cache; the second names another client.
    expect((await tokenRequest(ctx.contoso.id, credentials(ctx.contoso.app))).statusCode).toBe(200);
    const response = await tokenRequest(
      ctx.contoso.id,
      credentials(ctx.contoso.app, { client_id: ctx.contoso.expiredApp.clientId }),
    );
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
  });

  test('an expired password', async () => {
    const response = await tokenRequest(ctx.contoso.id, credentials(ctx.contoso.expiredApp));
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
  });

  test('the stored hash presented as the secret', async () => {
    const row = await ctx.database.db
      .selectFrom('application_passwords')
      .select('secret_hash')
      .where('tenant_id', '=', ctx.contoso.id)
      .where('application_id', '=', ctx.contoso.app.objectId)
      .executeTakeFirstOrThrow();
    const response = await tokenRequest(
      ctx.contoso.id,
      credentials(ctx.contoso.app, { client_secret: row.secret_hash }),
    );
    expect(response.statusCode).toBe(401);
  });

  test('an unknown client', async () => {
    const response = await tokenRequest(
      ctx.contoso.id,
      credentials(ctx.contoso.app, { client_id: '11111111-1111-4111-8111-111111111111' }),
    );
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
  });

  test('a client of another tenant, even with its right secret', async () => {
    for (const ref of [ctx.contoso.id, ctx.contoso.slug, ctx.contoso.domain]) {
      const response = await tokenRequest(ref, credentials(ctx.fabrikam.app));
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_client');
    }
  });
});

describe('scopes', () => {
  test.each([
    ['an unknown scope', 'User.Read'],
    ["another resource's .default", 'https://graph.microsoft.com/.default'],
    ['openid next to .default', `openid ${DEFAULT_SCOPE}`],
    ['a delegated scope of the API', `${BASE_URL}/User.Read.All`],
  ])('%s is invalid_scope', async (_label, scope) => {
    const response = await tokenRequest(ctx.contoso.id, credentials(ctx.contoso.app, { scope }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_scope');
  });

  test('a missing scope is invalid_scope', async () => {
    const { scope: _omitted, ...form } = credentials(ctx.contoso.app);
    const response = await tokenRequest(ctx.contoso.id, form);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_scope');
  });

  test('an unknown resource indicator is invalid_target', async () => {
    const response = await tokenRequest(
      ctx.contoso.id,
      credentials(ctx.contoso.app, { resource: 'https://graph.microsoft.com' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_target');
  });

  test('an unsupported grant type stays an OAuth error', async () => {
    const response = await tokenRequest(
      ctx.contoso.id,
      credentials(ctx.contoso.app, { grant_type: 'password' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('unsupported_grant_type');
  });
});

test('an unknown tenant at the token endpoint is a Graph 404', async () => {
  const response = await tokenRequest('nowhere', credentials(ctx.contoso.app));
  expect(response.statusCode).toBe(404);
  expect(response.json().error.code).toBe('Request_ResourceNotFound');
});
