import type { LightMyRequestResponse } from 'fastify';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { finishAuthorization, follow, openAuthorization, submitPassword } from '../helpers/oidc-app.js';
import { type PageClient, pageClient } from '../helpers/page-client.js';
import { guestOf, inviteGuest, latestCode } from '../redemption/support.js';

const REDIRECT = 'https://app.contoso.example/callback';
const API = 'https://foyer.test';

describe.each(testDialects())('consent, redirects, codes and resets (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let appId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    const created = await admin.post('/v1.0/applications', {
      displayName: 'Contoso Portal',
      publicClient: { redirectUris: [REDIRECT] },
    });
    appId = (created.json() as { appId: string }).appId;
  });
  afterAll(() => t.close());

  const authorize = (browser: PageClient, scope: string, extra: Record<string, string> = {}) =>
    openAuthorization(t.app, browser, {
      tenant: t.tenant.tenantId,
      clientId: appId,
      redirectUri: REDIRECT,
      scope,
      extra,
    });

  const passwordSignIn = (browser: PageClient, page: LightMyRequestResponse) =>
    submitPassword(browser, page, {
      email: t.tenant.adminUserPrincipalName,
      password: t.tenant.adminPassword,
      redirectUri: REDIRECT,
    });

  it('prompt=consent shows what the app asks for; accept issues the code, cancel answers access_denied', async () => {
    const browser = pageClient(t.app);
    const first = await authorize(browser, `openid profile ${API}/.default`, { prompt: 'consent' });
    const consent = await passwordSignIn(browser, first.page);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Contoso Portal would like to:');
    expect(consent.body).toContain('User.Read, User.ReadBasic.All, User.Invite.All');
    const accepted = await follow(
      browser,
      await browser.submit(consent, '/consent', { decision: 'accept' }),
      REDIRECT,
    );
    const tokens = await finishAuthorization(first.rp, String(accepted.headers.location), first.started);
    expect(tokens.access_token).toBeTruthy();

    const second = await authorize(browser, 'openid', { prompt: 'consent' });
    expect(second.page.body).toContain('would like to:');
    const declined = await follow(
      browser,
      await browser.submit(second.page, '/consent', { decision: 'cancel' }),
      REDIRECT,
    );
    expect(String(declined.headers.location)).toContain('error=access_denied');
  });

  it('no open redirect: an unregistered post_logout_redirect_uri or redirect_uri is refused on a page', async () => {
    const browser = pageClient(t.app);
    const { rp, started, page } = await authorize(browser, 'openid');
    const callback = await passwordSignIn(browser, page);
    const tokens = await finishAuthorization(rp, String(callback.headers.location), started);
    const logout = await browser.get(
      `/${t.tenant.tenantId}/oauth2/v2.0/logout?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(logout.statusCode).toBe(400);
    expect(logout.headers['content-type']).toContain('text/html');
    expect(logout.headers.location).toBeUndefined();
    const authorizeEvil = await browser.get(
      `/${t.tenant.tenantId}/oauth2/v2.0/authorize?client_id=${appId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
    );
    expect(authorizeEvil.statusCode).toBe(400);
    expect(authorizeEvil.headers.location).toBeUndefined();
  });

  it('a state or nonce mismatch is refused by the relying party', async () => {
    const browser = pageClient(t.app);
    const { rp, started, page } = await authorize(browser, 'openid');
    const callback = await passwordSignIn(browser, page);
    await expect(
      finishAuthorization(rp, String(callback.headers.location), { ...started, state: 'another state' }),
    ).rejects.toThrow();
    await expect(
      client.authorizationCodeGrant(rp, new URL(String(callback.headers.location)), {
        pkceCodeVerifier: started.verifier,
        expectedState: started.state,
        expectedNonce: 'another nonce',
      }),
    ).rejects.toThrow();
  });

  it('a passcode works once, and never for another address', async () => {
    const email = 'replay@partner.example';
    const other = 'other.replay@partner.example';
    const a = await inviteGuest(admin, email);
    await inviteGuest(admin, other);
    const browser = pageClient(t.app);
    const codePage = await browser.submit(await browser.get(a.path), '/redeem/start');
    const code = await latestCode(t, email);

    const intruder = pageClient(t.app);
    const otherFlow = await intruder.submit(await intruder.get(a.path), '/redeem/start');
    const foreign = await intruder.post('/redeem/passcode', {
      ...Object.fromEntries(new URLSearchParams()),
      ticket: new URL(`https://x${a.path}`).searchParams.get('ticket')!,
      csrf: /name="csrf" value="([^"]+)"/.exec(otherFlow.body)![1]!,
      email: other,
      code,
    });
    // The redemption's address is the invited one, whatever the form says; the code of the first request was
    // replaced by the intruder's request (only the newest code of an address works).
    expect(foreign.statusCode).toBe(401);
    const fresh = await latestCode(t, email);
    const ok = await browser.submit(codePage, '/redeem/passcode', { code: fresh });
    expect(ok.body).toContain('Review permissions');
    const replay = await intruder.submit(otherFlow, '/redeem/passcode', { code: fresh });
    expect(replay.statusCode).toBe(401);
    expect(replay.body).toContain('can no longer be used');
  });

  it('an expired invitation gets a clear page; "use another account" signs the browser out of the wrong one', async () => {
    await admin.patch('/v1.0/policies/b2bManagementPolicy', { invitationExpiryDays: 1 });
    const { path, guestId } = await inviteGuest(admin, 'late.comer@partner.example');
    await admin.patch('/v1.0/policies/b2bManagementPolicy', { invitationExpiryDays: null });
    await t.app.services.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_id', '=', guestId)
      .execute();
    const expired = await pageClient(t.app).get(path);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('expired');

    const browser = pageClient(t.app);
    const { page } = await authorize(browser, 'openid');
    await passwordSignIn(browser, page);
    const invited = await inviteGuest(admin, 'right.person@partner.example');
    const landing = await browser.get(invited.path);
    expect(landing.body).toContain('but you are signed in as');
    const switched = await browser.submit(landing, '/redeem/switch');
    expect(switched.statusCode).toBe(303);
    const again = await browser.get(String(switched.headers.location));
    expect(again.body).not.toContain('but you are signed in as');
  });

  it('a reset redemption ends the guest’s sessions and refresh tokens, and binds anew at the next redemption', async () => {
    const email = 'resettable@partner.example';
    const { path, guestId } = await inviteGuest(admin, email);
    const browser = pageClient(t.app);
    const code = await browser.submit(await browser.get(path), '/redeem/start');
    const consent = await browser.submit(code, '/redeem/passcode', { code: await latestCode(t, email) });
    await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
    const { rp, started, page } = await authorize(browser, 'openid offline_access');
    expect(page.statusCode).toBe(303);
    const tokens = await finishAuthorization(rp, String(page.headers.location), started);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const reset = await admin.post('/v1.0/invitations', {
      invitedUserEmailAddress: 'resettable.new@partner.example',
      inviteRedirectUrl: 'https://apps.contoso.example/welcome',
      resetRedemption: true,
      invitedUser: { id: guestId },
    });
    expect(reset.statusCode).toBe(201);
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const after = await guestOf(t, t.tenant.tenantId, guestId);
    expect(after.identities).toEqual([]);
    expect(after.user.external_user_state).toBe('PendingAcceptance');
  });

  it('the address step reveals nothing: the same page for a member, an invited guest and a stranger, and no mail', async () => {
    await inviteGuest(admin, 'quiet.invitee@partner.example');
    const browser = pageClient(t.app);
    const { page } = await authorize(browser, 'openid');
    const pages = [];
    for (const email of [
      t.tenant.adminUserPrincipalName,
      'quiet.invitee@partner.example',
      'stranger@nowhere.example',
    ]) {
      const next = await browser.submit(page, '/identify', { email });
      pages.push(next.body.replaceAll(email, 'X').replace(/name="csrf" value="[^"]*"/g, ''));
    }
    expect(new Set(pages).size).toBe(1);
    const codes = await t.app.services.db
      .selectFrom('one_time_codes')
      .selectAll()
      .where('email_lower', '=', 'quiet.invitee@partner.example')
      .execute();
    expect(codes).toEqual([]);
    // Asking for a code: the same page for everyone; only the invitee gets a mail.
    const member = await browser.submit(
      await browser.submit(page, '/identify', { email: t.tenant.adminUserPrincipalName }),
      '/passcode-send',
    );
    const stranger = await browser.submit(
      await browser.submit(page, '/identify', { email: 'stranger@nowhere.example' }),
      '/passcode-send',
    );
    expect(member.statusCode).toBe(stranger.statusCode);
    const sent = await t.app.services.db.selectFrom('one_time_codes').select('email_lower').execute();
    expect(sent.map((row) => row.email_lower)).not.toContain(t.tenant.adminUserPrincipalName.toLowerCase());
    expect(sent.map((row) => row.email_lower)).not.toContain('stranger@nowhere.example');
  });

  it('a passcode cannot skip the precedence: an address with a personal account must use its password', async () => {
    const email = 'has.account@elsewhere.example';
    await t.app.services.db
      .insertInto('personal_accounts')
      .values({
        id: crypto.randomUUID(),
        email,
        email_lower: email,
        display_name: 'Has Account',
        password_hash: 'x',
        preferred_language: null,
        account_enabled: 1,
        created_at: new Date().toISOString(),
        password_changed_at: new Date().toISOString(),
      })
      .execute();
    const { path } = await inviteGuest(admin, email);
    const browser = pageClient(t.app);
    const passwordPage = await browser.submit(await browser.get(path), '/redeem/start');
    expect(passwordPage.body).toContain('Enter your password');
    const forced = await browser.post('/redeem/passcode-send', {
      ticket: new URL(`https://x${path}`).searchParams.get('ticket')!,
      csrf: /name="csrf" value="([^"]+)"/.exec(passwordPage.body)![1]!,
      email,
    });
    expect(forced.body).not.toContain('Review permissions');
    const codes = await t.app.services.db
      .selectFrom('one_time_codes')
      .selectAll()
      .where('email_lower', '=', email)
      .execute();
    expect(codes).toEqual([]);
  });

  it('a member whose mail property names someone else cannot take that person’s invitation', async () => {
    // An administrator of Fabrikam sets an arbitrary `mail` on its own member…
    const { provisionOtherTenant } = await import('../helpers/build-test-app.js');
    const { callerFor } = await import('../helpers/graph.js');
    const fabrikam = await provisionOtherTenant(t, 'Fabrikam Evil');
    const evil = await callerFor(t, fabrikam);
    const upn = `eve@${fabrikam.tenantSlug}.foyer.localhost`;
    const created = await evil.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Eve',
      mailNickname: 'eve',
      userPrincipalName: upn,
      mail: 'victim@gmail.example',
      passwordProfile: { password: 'eve has a long password' },
    });
    expect(created.statusCode).toBe(201);
    // …Contoso invites the victim, and Eve signs in to a Contoso app with her own account.
    const { guestId } = await inviteGuest(admin, 'victim@gmail.example');
    const browser = pageClient(t.app);
    const { page } = await authorize(browser, 'openid');
    const pw = await browser.submit(page, '/identify', { email: upn });
    const answer = await browser.submit(pw, '/password', { password: 'eve has a long password' });
    expect(answer.body).not.toContain('Review permissions');
    expect(answer.body).toContain('has no access');
    const { invitation, identities } = await guestOf(t, t.tenant.tenantId, guestId);
    expect(invitation.status).toBe('PendingAcceptance');
    expect(identities).toEqual([]);
  });

  it('revoking a guest’s sessions sends its browser back to sign-in, never into a redirect loop', async () => {
    const email = 'revoked.guest@partner.example';
    const { path, guestId } = await inviteGuest(admin, email);
    const browser = pageClient(t.app);
    const code = await browser.submit(await browser.get(path), '/redeem/start');
    const consent = await browser.submit(code, '/redeem/passcode', { code: await latestCode(t, email) });
    await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
    expect((await authorize(browser, 'openid')).page.statusCode).toBe(303);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await admin.post(`/v1.0/users/${guestId}/revokeSignInSessions`)).statusCode).toBe(200);
    const again = await authorize(browser, 'openid');
    expect(again.page.statusCode).toBe(200);
    expect(again.page.body).toContain('type="email"');
  });
});
