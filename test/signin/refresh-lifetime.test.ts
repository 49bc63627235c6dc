import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import {
  finishAuthorization,
  follow,
  openAuthorization,
  relyingParty,
  startAuthorization,
  submitPassword,
} from '../helpers/oidc-app.js';
import { type PageClient, pageClient } from '../helpers/page-client.js';

const REDIRECT = 'https://app.contoso.example/callback';
const HOUR = 3600_000;

/**
 * How long a refresh token lives (README "Sign-in for applications"): as in Entra, it belongs to the user's grant,
 * not to the browser's 24-hour sign-in session; a single-page app's lasts 24 hours from the sign-in.
 */
describe.each(testDialects())('refresh token lifetime (%s)', (dialect) => {
  // The whole process's clock moves (oidc-provider reads Date.now for token lifetimes), and keeps running.
  const jump = (ms: number) => vi.setSystemTime(Date.now() + ms);
  let t: TestApp;
  let admin: GraphClient;
  let nativeApp: string;
  let spaApp: string;
  const email = 'ada@contoso.foyer.localhost';
  const password = 'ada lovelace computes';

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    const register = async (platform: 'publicClient' | 'spa') => {
      const created = await admin.post('/v1.0/applications', {
        displayName: `Contoso ${platform}`,
        [platform]: { redirectUris: [REDIRECT] },
      });
      return (created.json() as { appId: string }).appId;
    };
    nativeApp = await register('publicClient');
    spaApp = await register('spa');
    await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Ada Lovelace',
      mailNickname: 'ada',
      userPrincipalName: email,
      passwordProfile: { password },
    });
  });
  afterAll(async () => {
    await t.close();
    vi.useRealTimers();
  });

  async function signIn(clientId: string, browser: PageClient = pageClient(t.app)) {
    const { rp, started, page } = await openAuthorization(t.app, browser, {
      tenant: t.tenant.tenantId,
      clientId,
      redirectUri: REDIRECT,
      scope: 'openid profile offline_access',
    });
    const callback = await submitPassword(browser, page, { email, password, redirectUri: REDIRECT });
    const tokens = await finishAuthorization(rp, String(callback.headers.location), started);
    expect(tokens.refresh_token).toBeTruthy();
    return { rp, browser, tokens, refreshToken: tokens.refresh_token! };
  }

  it('outlives the 24-hour browser session: the app refreshes a day later without asking the user', async () => {
    const { rp, browser, tokens, refreshToken } = await signIn(nativeApp);
    jump(25 * HOUR);
    // The browser's session is over: the user would have to sign in again there.
    const rp2 = await relyingParty(t.app, { tenant: t.tenant.tenantId, clientId: nativeApp });
    const started = await startAuthorization(rp2, { redirectUri: REDIRECT, scope: 'openid' });
    const page = await browser.get(started.url.pathname + started.url.search);
    const shown = await follow(browser, page, REDIRECT);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('type="email"');
    // The app's refresh token still works, rotates, and says who signed in.
    const refreshed = await client.refreshTokenGrant(rp, refreshToken);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(refreshToken);
    expect(refreshed.claims()?.sub).toBe(tokens.claims()?.sub);
  });

  it('survives RP-initiated logout, as in Entra, which ends the browser session and not the apps’ tokens', async () => {
    const { rp, browser, tokens, refreshToken } = await signIn(nativeApp);
    const logout = await browser.get(
      `/${t.tenant.tenantId}/oauth2/v2.0/logout?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect(logout.statusCode).toBe(200);
    const done = await browser.submit(logout, '/logout/confirm', { logout: 'yes' });
    expect(done.statusCode).toBe(303);
    const refreshed = await client.refreshTokenGrant(rp, refreshToken);
    expect(refreshed.claims()?.sub).toBe(tokens.claims()?.sub);
    // What ends them is revokeSignInSessions (or a password change, a disabled account): test/signin/sessions.
    // (A new admin token: the clock has run days ahead of the first one.)
    const now = await adminCaller(t);
    const user = await now.get(`/v1.0/users/${encodeURIComponent(email)}`);
    const id = (user.json() as { id: string }).id;
    jump(1_100);
    expect((await now.post(`/v1.0/users/${id}/revokeSignInSessions`)).statusCode).toBe(200);
    await expect(client.refreshTokenGrant(rp, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it("a single-page app's refresh tokens last 24 hours from the sign-in, however often they rotate", async () => {
    const { rp, refreshToken } = await signIn(spaApp);
    jump(12 * HOUR);
    const rotated = await client.refreshTokenGrant(rp, refreshToken);
    expect(rotated.refresh_token).toBeTruthy();
    jump(11 * HOUR);
    const again = await client.refreshTokenGrant(rp, rotated.refresh_token!);
    jump(2 * HOUR);
    await expect(client.refreshTokenGrant(rp, again.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // Another kind of app's lasts longer than that.
    const native = await signIn(nativeApp);
    jump(25 * HOUR);
    expect((await client.refreshTokenGrant(native.rp, native.refreshToken)).refresh_token).toBeTruthy();
  });
});
