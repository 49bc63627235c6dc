import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller } from '../helpers/graph.js';

/**
 * Requests that authenticate nobody write at most one short-lived row, and are limited per client address
 * (issue "Hardening", item 9).
 */
describe.each(testDialects())('unauthenticated OIDC requests (%s)', (dialect) => {
  let t: TestApp;
  let appId: string;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await buildTestApp(dialect, { env: { FOYER_SIGNIN_RATE_LIMIT: '8', FOYER_TOKEN_RATE_LIMIT: '3' } });
    const admin = await adminCaller(t);
    const created = await admin.post('/v1.0/applications', {
      displayName: 'Portal',
      publicClient: { redirectUris: ['https://app.example/cb'] },
    });
    appId = (created.json() as { appId: string }).appId;
  });
  afterAll(() => t.close());

  const rows = (model: string) =>
    t.app.services.db.selectFrom('oidc_payloads').select(['expires_at']).where('model', '=', model).execute();

  it('a logout of a signed-out browser keeps its session row ten minutes, not a day', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/${t.tenant.tenantId}/oauth2/v2.0/logout`,
      remoteAddress: '10.9.0.1',
    });
    expect(response.statusCode).toBe(200);
    const sessions = await rows('Session');
    expect(sessions.length).toBeGreaterThan(0);
    for (const row of sessions) expect(Number(row.expires_at) - nowSeconds()).toBeLessThanOrEqual(600);
  });

  it('an authorize request writes one interaction row of at most thirty minutes', async () => {
    const before = (await rows('Interaction')).length;
    const response = await t.app.inject({
      method: 'GET',
      url: `/${t.tenant.tenantId}/oauth2/v2.0/authorize?client_id=${appId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://app.example/cb')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      remoteAddress: '10.9.0.2',
    });
    expect(response.statusCode).toBe(303);
    const after = await rows('Interaction');
    expect(after.length).toBe(before + 1);
    for (const row of after) expect(Number(row.expires_at) - nowSeconds()).toBeLessThanOrEqual(1800);
  });

  it('one address is limited on authorize and the sign-in pages, with a page and Retry-After', async () => {
    let last = await t.app.inject({
      method: 'GET',
      url: `/${t.tenant.tenantId}/oauth2/v2.0/logout`,
      remoteAddress: '10.9.0.3',
    });
    for (let i = 0; i < 8; i++) {
      last = await t.app.inject({
        method: 'GET',
        url: `/${t.tenant.tenantId}/oauth2/v2.0/logout`,
        remoteAddress: '10.9.0.3',
      });
    }
    expect(last.statusCode).toBe(429);
    expect(last.headers['content-type']).toContain('text/html');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    const page = await t.app.inject({ method: 'GET', url: '/redeem?ticket=x', remoteAddress: '10.9.0.3' });
    expect(page.statusCode).toBe(429);
    // Another address is not affected.
    const other = await t.app.inject({
      method: 'GET',
      url: `/${t.tenant.tenantId}/oauth2/v2.0/logout`,
      remoteAddress: '10.9.0.4',
    });
    expect(other.statusCode).toBe(200);
  });

  it('the token endpoint is limited per client address', async () => {
    const post = () =>
      t.app.inject({
        method: 'POST',
        url: `/${t.tenant.tenantId}/oauth2/v2.0/token`,
        remoteAddress: '10.9.0.5',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials&client_id=nobody&client_secret=x',
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post()).statusCode);
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses[3]).toBe(429);
  });

  it('a client authenticating with Basic is counted by its client id, whatever its address', async () => {
    const basic = (id: string) => `Basic ${Buffer.from(`${id}:secret`).toString('base64')}`;
    const post = (id: string, address: string) =>
      t.app.inject({
        method: 'POST',
        url: `/${t.tenant.tenantId}/oauth2/v2.0/token`,
        remoteAddress: address,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id) },
        payload: 'grant_type=client_credentials',
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('busy-client', `10.9.1.${i}`)).statusCode);
    expect(statuses[3]).toBe(429);
    expect((await post('another-client', '10.9.1.0')).statusCode).not.toBe(429);
  });
});
