import type { FastifyInstance } from 'fastify';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_CACHE_MS } from '../../src/oidc/clients.js';
import { rotateSigningKeys } from '../../src/oidc/index.js';
import { SIGNING_KEY_CACHE_SECONDS } from '../../src/oidc/lifetimes.js';
import { TENANT_REF_CACHE_MS } from '../../src/oidc/providers.js';
import { type AuthContext, authContext } from '../auth/support.js';
import { type CreatedApplication, createApplicationWith } from '../directory/support.js';
import { secondInstance, TEST_BASE_URL } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';

/**
 * The token endpoint caches what it reads (tenant references, client metadata, accepted secrets, signing keys)
 * so a token costs no query. Each cache has a stated bound: a change made through another instance takes
 * effect within it; one made through this instance at once.
 */

it('every cache of the token endpoint is bounded by 30 s', () => {
  expect(CLIENT_CACHE_MS).toBeLessThanOrEqual(30_000);
  expect(TENANT_REF_CACHE_MS).toBeLessThanOrEqual(30_000);
  expect(SIGNING_KEY_CACHE_SECONDS * 1000).toBeLessThanOrEqual(30_000);
});

function tokenRequest(app: FastifyInstance, tenant: string, client: CreatedApplication) {
  return app.inject({
    method: 'POST',
    url: `/${tenant}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.appId,
      client_secret: client.secretText,
      scope: `${TEST_BASE_URL}/.default`,
    }).toString(),
  });
}

describe.each(testDialects())('changes made through this instance (%s)', (dialect) => {
  let ctx: AuthContext;
  beforeAll(async () => {
    ctx = await authContext(dialect);
  });
  afterAll(async () => ctx?.close());

  it('a removed secret, a deleted application and a new permission take effect at once', async () => {
    const tenant = ctx.tenant.tenantId;
    const client = await createApplicationWith(ctx, ['User.Read.All']);
    expect((await tokenRequest(ctx.app, tenant, client)).statusCode).toBe(200);

    const granted = await ctx.api.post(`/applications/${client.id}/grantedPermissions`, {
      permissions: ['Group.Read.All'],
    });
    expect(granted.statusCode).toBe(200);
    const token = (await tokenRequest(ctx.app, tenant, client)).json().access_token as string;
    const roles = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).roles;
    expect(roles).toEqual(['Group.Read.All', 'User.Read.All']);

    const keyId = (await ctx.api.get(`/applications/${client.id}`)).json().passwordCredentials[0].keyId;
    const removed = await ctx.api.post(`/applications/${client.id}/removePassword`, { keyId });
    expect(removed.statusCode).toBe(204);
    const refused = await tokenRequest(ctx.app, tenant, client);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('invalid_client');

    const other = await createApplicationWith(ctx, []);
    expect((await tokenRequest(ctx.app, tenant, other)).statusCode).toBe(200);
    expect((await ctx.api.delete(`/applications/${other.id}`)).statusCode).toBe(204);
    expect((await tokenRequest(ctx.app, tenant, other)).statusCode).toBe(401);
  });
});

/** Two instances share a database only on PostgreSQL. */
describe.skipIf(!process.env.FOYER_TEST_DATABASE_URL && process.env.CI !== 'true')(
  'changes made through another instance take effect within the bound (postgres)',
  () => {
    const clock = movableClock();
    let ctx: AuthContext;
    let other: Awaited<ReturnType<typeof secondInstance>>;
    beforeAll(async () => {
      ctx = await authContext('postgres', { clock });
      other = await secondInstance(ctx, { clock });
    });
    afterAll(async () => {
      await other?.close();
      await ctx?.close();
    });

    it('a removed secret stops authenticating on the other instance once its cache ages out', async () => {
      clock.reset();
      const tenant = ctx.tenant.tenantId;
      const client = await createApplicationWith(ctx, ['User.Read.All']);
      // The other instance accepts the secret, and now holds it in its cache.
      expect((await tokenRequest(other.app, tenant, client)).statusCode).toBe(200);
      const keyId = (await ctx.api.get(`/applications/${client.id}`)).json().passwordCredentials[0].keyId;
      expect((await ctx.api.post(`/applications/${client.id}/removePassword`, { keyId })).statusCode).toBe(
        204,
      );
      clock.advance(CLIENT_CACHE_MS + 1_000);
      const refused = await tokenRequest(other.app, tenant, client);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toBe('invalid_client');
    });

    it('a deleted application gets no token from the other instance once its cache ages out', async () => {
      clock.reset();
      const tenant = ctx.tenant.tenantId;
      const client = await createApplicationWith(ctx, []);
      expect((await tokenRequest(other.app, tenant, client)).statusCode).toBe(200);
      expect((await ctx.api.delete(`/applications/${client.id}`)).statusCode).toBe(204);
      clock.advance(CLIENT_CACHE_MS + 1_000);
      expect((await tokenRequest(other.app, tenant, client)).statusCode).toBe(401);
    });

    it('a key rotated elsewhere is published by the other instance, and signs after the grace period', async () => {
      clock.reset();
      const tenant = ctx.tenant.tenantId;
      const client = await createApplicationWith(ctx, []);
      const before = (await tokenRequest(other.app, tenant, client)).json().access_token as string;
      const rotation = await rotateSigningKeys(ctx.app.services, tenant);
      const published = async () =>
        (
          (await other.app.inject({ method: 'GET', url: `/${tenant}/discovery/v2.0/keys` })).json() as {
            keys: { kid: string }[];
          }
        ).keys.map((key) => key.kid);
      clock.advance(SIGNING_KEY_CACHE_SECONDS * 1000 + 1_000);
      expect(await published()).toContain(rotation.kid);
      const graceMs = Date.parse(rotation.signsFrom) - clock.now().getTime();
      clock.advance(graceMs + SIGNING_KEY_CACHE_SECONDS * 1000 + 1_000);
      const after = (await tokenRequest(other.app, tenant, client)).json().access_token as string;
      expect(decodeProtectedHeader(before).kid).not.toBe(rotation.kid);
      expect(decodeProtectedHeader(after).kid).toBe(rotation.kid);
      clock.reset();
    });
  },
);
