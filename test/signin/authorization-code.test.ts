import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOutboxMail } from '../../src/mail/outbox-store.js';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient, graphClient } from '../helpers/graph.js';
import { finishAuthorization, follow, openAuthorization, submitPassword } from '../helpers/oidc-app.js';
import { pageClient } from '../helpers/page-client.js';
import { inviteGuest, latestCode } from '../redemption/support.js';

const REDIRECT = 'https://app.contoso.example/callback';
const API = 'https://foyer.test';

describe.each(testDialects())('authorization code + PKCE with openid-client (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let fabrikam: ProvisionedTenant;
  let appId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
    const created = await admin.post('/v1.0/applications', {
      displayName: 'Contoso Portal',
      publicClient: { redirectUris: [REDIRECT] },
    });
    expect(created.statusCode).toBe(201);
    appId = (created.json() as { appId: string }).appId;
  });
  afterAll(() => t.close());

  /** An authorization request of `clientId` opened in a new browser: the sign-in page it leads to. */
  async function openSignIn(clientId: string, scope: string, extra: Record<string, string> = {}) {
    const browser = pageClient(t.app);
    const opened = await openAuthorization(t.app, browser, {
      tenant: t.tenant.tenantId,
      clientId,
      redirectUri: REDIRECT,
      scope,
      extra,
    });
    return { ...opened, browser };
  }

  async function signIn(
    email: string,
    password: string,
    options: { clientId?: string; scope?: string } = {},
  ) {
    const { rp, started, browser, page } = await openSignIn(
      options.clientId ?? appId,
      options.scope ?? `openid profile offline_access ${API}/.default`,
    );
    expect(page.body).toContain('Sign in');
    const callback = await submitPassword(browser, page, { email, password, redirectUri: REDIRECT });
    expect(callback.statusCode).toBe(303);
    const tokens = await finishAuthorization(rp, String(callback.headers.location), started);
    return { rp, tokens, browser };
  }

  it('a member signs in and gets B2B claims, a directory token with scp, and /me answers', async () => {
    const { tokens } = await signIn(t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const id = tokens.claims()!;
    expect(id).toMatchObject({
      tid: t.tenant.tenantId,
      acct: 0,
      idp: `${API}/${t.tenant.tenantId}/v2.0`,
      preferred_username: t.tenant.adminUserPrincipalName,
      name: expect.any(String),
      amr: ['pwd'],
    });
    expect(id.sub).not.toBe(id.oid);
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ aud: API, tid: t.tenant.tenantId, oid: id.oid, azp: appId, acct: 0 });
    expect(String(access.scp).split(' ').sort()).toEqual([
      'User.Invite.All',
      'User.Read',
      'User.ReadBasic.All',
    ]);
    expect(access.scope).toBeUndefined();
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('tokens carry the groups the user belongs to, sorted, and a refresh sees a membership change', async () => {
    const email = 'ida@contoso.foyer.localhost';
    const password = 'ida rhodes programs';
    const user = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Ida Rhodes',
      mailNickname: 'ida',
      userPrincipalName: email,
      passwordProfile: { password },
    });
    const userId = (user.json() as { id: string }).id;
    const groupIds: string[] = [];
    for (const name of ['Analysts', 'Builders']) {
      const group = await admin.post('/v1.0/groups', {
        displayName: name,
        mailNickname: name.toLowerCase(),
        mailEnabled: false,
        securityEnabled: true,
      });
      const groupId = (group.json() as { id: string }).id;
      groupIds.push(groupId);
      const added = await admin.post(`/v1.0/groups/${groupId}/members/$ref`, {
        '@odata.id': `${API}/v1.0/directoryObjects/${userId}`,
      });
      expect(added.statusCode).toBe(204);
    }
    const { rp, tokens } = await signIn(email, password);
    expect(tokens.claims()?.groups).toEqual([...groupIds].sort());
    expect(decodeJwt(tokens.access_token).groups).toEqual([...groupIds].sort());

    const [first, second] = groupIds as [string, string];
    expect((await admin.delete(`/v1.0/groups/${first}/members/${userId}/$ref`)).statusCode).toBe(204);
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.claims()?.groups).toEqual([second]);
    expect(decodeJwt(refreshed.access_token).groups).toEqual([second]);
    expect((await admin.delete(`/v1.0/groups/${second}/members/${userId}/$ref`)).statusCode).toBe(204);
    const none = await client.refreshTokenGrant(rp, refreshed.refresh_token!);
    expect(none.claims()?.groups).toBeUndefined();
    expect(decodeJwt(none.access_token).groups).toBeUndefined();
  });

  it('refresh tokens rotate: the old one is refused after use', async () => {
    const { rp, tokens } = await signIn(t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The replay revoked the whole grant: the successor, issued before it, is refused too (RFC 9700 §4.14.2).
    await expect(client.refreshTokenGrant(rp, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('four refresh chains at once each rotate once per use, and a replay of any spent token is refused (their writes commit together)', async () => {
    const people = await Promise.all(
      [0, 1, 2, 3].map(() => signIn(t.tenant.adminUserPrincipalName, t.tenant.adminPassword)),
    );
    const next = await Promise.all(
      people.map(({ rp, tokens }) => client.refreshTokenGrant(rp, tokens.refresh_token!)),
    );
    const again = await Promise.all(
      people.map(({ rp }, i) => client.refreshTokenGrant(rp, next[i]!.refresh_token!)),
    );
    expect(new Set(again.map((tokens) => tokens.refresh_token)).size).toBe(4);
    const replays = await Promise.allSettled(
      people.map(({ rp }, i) => client.refreshTokenGrant(rp, next[i]!.refresh_token!)),
    );
    expect(replays.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
  });

  it('one refresh token sent twice at once is honoured at most once, and the race revokes the grant', async () => {
    const { rp, tokens } = await signIn(t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const raced = await Promise.allSettled([
      client.refreshTokenGrant(rp, tokens.refresh_token!),
      client.refreshTokenGrant(rp, tokens.refresh_token!),
    ]);
    const won = raced.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won.length).toBeLessThanOrEqual(1);
    // Whoever lost saw a replay: like a replay after the fact, it revokes the grant, the winner's successor too.
    for (const tokens of won) {
      await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    }
  });

  it('sub is pairwise per client id', async () => {
    const first = (await signIn(t.tenant.adminUserPrincipalName, t.tenant.adminPassword)).tokens.claims()!;
    const other = await admin.post('/v1.0/applications', {
      displayName: 'Other',
      publicClient: { redirectUris: [REDIRECT] },
    });
    const otherId = (other.json() as { appId: string }).appId;
    const second = (
      await signIn(t.tenant.adminUserPrincipalName, t.tenant.adminPassword, {
        clientId: otherId,
        scope: 'openid',
      })
    ).tokens.claims()!;
    expect(second.oid).toBe(first.oid);
    expect(second.sub).not.toBe(first.sub);
  });

  it('a public client without PKCE, or with plain, is refused', async () => {
    const base = `/${t.tenant.tenantSlug}/oauth2/v2.0/authorize?client_id=${appId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT)}&state=s`;
    const without = await t.app.inject({ method: 'GET', url: base });
    expect(String(without.headers.location)).toContain('error=invalid_request');
    const plain = await t.app.inject({
      method: 'GET',
      url: `${base}&code_challenge=${'a'.repeat(43)}&code_challenge_method=plain`,
    });
    expect(String(plain.headers.location)).toContain('error=invalid_request');
    const unregistered = await t.app.inject({
      method: 'GET',
      url: base.replace(encodeURIComponent(REDIRECT), encodeURIComponent('https://evil.example/cb')),
    });
    expect(unregistered.statusCode).toBe(400);
  });

  it('a guest redeemed by passcode signs in to the app just in time and carries guest claims', async () => {
    const email = 'jit.guest@partner.example';
    await inviteGuest(admin, email);
    const { rp, started, browser, page } = await openSignIn(appId, 'openid profile');
    // The same page as for anyone, offering a passcode; asked for, the code goes out because a guest may use it.
    const passwordPage = await browser.submit(page, '/identify', { email });
    expect(passwordPage.body).toContain('Email me a one-time code instead');
    const codePage = await browser.submit(passwordPage, '/passcode-send');
    expect(codePage.body).toContain('we sent it one');
    const review = await browser.submit(codePage, '/passcode', { code: await latestCode(t, email) });
    expect(review.body).toContain('Review permissions');
    const callback = await follow(
      browser,
      await browser.submit(review, '/review', { decision: 'accept' }),
      REDIRECT,
    );
    const claims = (await finishAuthorization(rp, String(callback.headers.location), started)).claims()!;
    expect(claims).toMatchObject({ acct: 1, idp: 'mail', tid: t.tenant.tenantId, amr: ['otp'], email });
    const guest = await admin.get(`/v1.0/users/${claims.oid}?$select=externalUserState,userType`);
    expect(guest.json()).toMatchObject({ externalUserState: 'Accepted', userType: 'Guest' });
  });

  it('a member of another tenant with no invitation gets "no access", and the attempt fails the same way for unknown addresses', async () => {
    const { browser, page } = await openSignIn(appId, 'openid');
    const pw = await browser.submit(page, '/identify', { email: fabrikam.adminUserPrincipalName });
    const denied = await browser.submit(pw, '/password', { password: fabrikam.adminPassword });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain('has no access');

    const unknown = await browser.submit(page, '/identify', { email: 'nobody@nowhere.example' });
    const known = await browser.submit(page, '/identify', { email: t.tenant.adminUserPrincipalName });
    expect(unknown.body.replace(/nobody@nowhere.example/g, 'X').replace(/value="[^"]*"/g, '')).toBe(
      known.body.replace(new RegExp(t.tenant.adminUserPrincipalName, 'g'), 'X').replace(/value="[^"]*"/g, ''),
    );
    const wrongUnknown = await browser.submit(unknown, '/password', { password: 'whatever it is here' });
    const wrongKnown = await browser.submit(known, '/password', { password: 'whatever it is here' });
    expect(wrongUnknown.statusCode).toBe(401);
    expect(wrongKnown.statusCode).toBe(401);
  });

  it('an access token works at the directory API as the user', async () => {
    const { tokens } = await signIn(t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const me = graphClient(t.app, tokens.access_token);
    const users = await me.get('/v1.0/users?$top=1');
    expect(users.statusCode).toBe(200);
  });

  it('a member without a role, signed in through the app, invites a guest: escaped message, Reply-To the member', async () => {
    const email = 'inviter@contoso.foyer.localhost';
    await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Ivy Inviter',
      mailNickname: 'inviter',
      userPrincipalName: email,
      mail: email,
      passwordProfile: { password: 'inviter passphrase here' },
    });
    const { tokens } = await signIn(email, 'inviter passphrase here');
    const me = graphClient(t.app, tokens.access_token);
    const invited = await me.post('/v1.0/invitations', {
      invitedUserEmailAddress: 'partner.of.ivy@fabrikam.example',
      inviteRedirectUrl: 'https://apps.contoso.example/welcome',
      sendInvitationMessage: true,
      invitedUserMessageInfo: { customizedMessageBody: 'Hi <b>there</b> & welcome' },
    });
    expect(invited.statusCode).toBe(201);
    const mail = await t.app.services.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('category', '=', 'invitation')
      .where('to_addresses', 'like', '%partner.of.ivy%')
      .executeTakeFirstOrThrow();
    expect(mail.reply_to_address).toBe(email);
    // The worker renders the stored template: read the bodies as it does.
    const { html } = toOutboxMail(mail);
    expect(html).toContain('Hi &lt;b&gt;there&lt;/b&gt; &amp; welcome');
    expect(html).not.toContain('<b>there</b>');
    // Reading users is allowed to a member; writing them is not.
    expect((await me.get('/v1.0/me')).json()).toMatchObject({ userPrincipalName: email });
    expect(
      (await me.patch(`/v1.0/users/${t.tenant.adminUserPrincipalName}`, { displayName: 'x' })).statusCode,
    ).toBe(403);
  });
});
