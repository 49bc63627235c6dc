import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { finishAuthorization, follow } from '../helpers/oidc-app.js';
import { type PageClient, pageClient } from '../helpers/page-client.js';
import {
  codeAt,
  isEnrolPage,
  isVerifyPage,
  openApp,
  passwordSignIn,
  REDIRECT,
  registerApp,
  setPolicy,
  shownRecoveryCodes,
  shownSecret,
} from './support.js';

const PASSWORD = 'correct horse battery staple';

/**
 * TOTP at sign-in, through the pages and openid-client: enrolment, verification, replay, recovery codes, the lock,
 * the administrator's reset, and the `amr` and sign-in log that result.
 */
describe.each(testDialects())('MFA at sign-in (%s)', (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let admin: GraphClient;
  let appId: string;
  let otherAppId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock });
    admin = await adminCaller(t);
    appId = await registerApp(admin, 'Portal');
    otherAppId = await registerApp(admin, 'Wiki');
  });
  afterAll(() => t.close());

  async function createMember(name: string) {
    const upn = `${name}@${t.tenant.tenantSlug}.foyer.localhost`;
    const created = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: name,
      mailNickname: name,
      userPrincipalName: upn,
      passwordProfile: { password: PASSWORD },
    });
    expect(created.statusCode).toBe(201);
    return { upn, id: (created.json() as { id: string }).id };
  }

  /** Signs in to `clientId` and enrols: returns the key, the recovery codes and the tokens. */
  async function enrol(upn: string, clientId = appId) {
    const { rp, started, browser, page } = await openApp(t, t.tenant.tenantId, clientId);
    const enrolment = await passwordSignIn(browser, page, upn, PASSWORD);
    expect(isEnrolPage(enrolment)).toBe(true);
    expect(enrolment.body).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    expect(enrolment.headers['content-security-policy']).toContain("default-src 'none'");
    const secret = shownSecret(enrolment);
    const codes = await browser.submit(enrolment, '/mfa', { code: codeAt(secret, clock) });
    const recoveryCodes = shownRecoveryCodes(codes);
    expect(recoveryCodes).toHaveLength(10);
    const callback = await follow(browser, await browser.submit(codes, '/mfa'), REDIRECT);
    expect(callback.statusCode).toBe(303);
    const tokens = await finishAuthorization(rp, String(callback.headers.location), started);
    return { secret, recoveryCodes, tokens, browser };
  }

  /** A new browser up to the code page. */
  async function toCodePage(upn: string, clientId = appId, browser?: PageClient) {
    const opened = await openApp(t, t.tenant.tenantId, clientId, browser);
    const page = await passwordSignIn(opened.browser, opened.page, upn, PASSWORD);
    expect(isVerifyPage(page)).toBe(true);
    return { ...opened, page };
  }

  async function signIns(userId: string) {
    const response = await admin.get(`/v1.0/auditLogs/signIns?$filter=userId eq ${userId}`);
    return (response.json() as { value: Array<Record<string, unknown>> }).value;
  }

  it('without the policy, nothing is asked and the log says single-factor', async () => {
    const { upn, id } = await createMember('nomfa');
    const { rp, started, browser, page } = await openApp(t, t.tenant.tenantId, appId);
    const callback = await passwordSignIn(browser, page, upn, PASSWORD);
    expect(callback.statusCode).toBe(303);
    const tokens = await finishAuthorization(rp, String(callback.headers.location), started);
    expect(tokens.claims()?.amr).toEqual(['pwd']);
    expect((await signIns(id))[0]).toMatchObject({
      authenticationRequirement: 'singleFactorAuthentication',
      mfaDetail: null,
      mfaSource: null,
    });
  });

  it('a member enrols at the first sign-in that needs it; the tokens say mfa; the next app does not ask', async () => {
    await setPolicy(admin, { mfaRequiredForMembers: true });
    const { upn, id } = await createMember('enrolling');
    const { tokens, browser } = await enrol(upn);
    expect(tokens.claims()?.amr).toEqual(['pwd', 'mfa']);
    const [success, interrupted] = await signIns(id);
    expect(interrupted).toMatchObject({ status: { errorCode: 50079 } });
    expect(success).toMatchObject({
      status: { errorCode: 0 },
      authenticationRequirement: 'multiFactorAuthentication',
      mfaSource: 'resourceTenant',
      mfaDetail: { authMethod: 'OATH verification code', authDetail: 'MFA completed in this tenant' },
      authenticationMethodsUsed: ['Password', 'OATH verification code'],
    });
    // The same browser session, another app of the tenant: no second prompt.
    const next = await openApp(t, t.tenant.tenantId, otherAppId, browser);
    expect(next.page.statusCode).toBe(303);
    const again = await finishAuthorization(next.rp, String(next.page.headers.location), next.started);
    expect(again.claims()?.amr).toContain('mfa');
    // The enrolment is audited.
    const audits = await admin.get(
      `/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'User registered security info'`,
    );
    expect(JSON.stringify(audits.json())).toContain(id);
  });

  it('later sign-ins ask for a code; a code is refused when reused within its window', async () => {
    const { upn } = await createMember('verifying');
    const { secret } = await enrol(upn);
    // The code of the step the enrolment used is spent.
    const first = await toCodePage(upn);
    const replayed = await first.browser.submit(first.page, '/mfa', { code: codeAt(secret, clock) });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.body).toContain('not valid or was already used');
    clock.advance(30_000);
    const fresh = codeAt(secret, clock);
    const callback = await follow(
      first.browser,
      await first.browser.submit(replayed, '/mfa', { code: fresh }),
      REDIRECT,
    );
    const tokens = await finishAuthorization(first.rp, String(callback.headers.location), first.started);
    expect(tokens.claims()?.amr).toEqual(['pwd', 'mfa']);
    // The same code in another browser within its window: refused.
    const second = await toCodePage(upn);
    const again = await second.browser.submit(second.page, '/mfa', { code: fresh });
    expect(again.statusCode).toBe(401);
    // A malformed code is refused the same way.
    expect((await second.browser.submit(again, '/mfa', { code: 'abcdef' })).statusCode).toBe(401);
  });

  it('a recovery code lets the person in once', async () => {
    const { upn, id } = await createMember('recovering');
    const { recoveryCodes } = await enrol(upn);
    const first = await toCodePage(upn);
    const used = await follow(
      first.browser,
      await first.browser.submit(first.page, '/mfa', {
        mfaStep: 'recovery',
        code: recoveryCodes[3]!.toLowerCase(),
      }),
      REDIRECT,
    );
    expect(used.statusCode).toBe(303);
    const tokens = await finishAuthorization(first.rp, String(used.headers.location), first.started);
    expect(tokens.claims()?.amr).toContain('mfa');
    expect((await signIns(id))[0]).toMatchObject({ mfaDetail: { authMethod: 'Recovery code' } });
    const second = await toCodePage(upn);
    const refused = await second.browser.submit(second.page, '/mfa', {
      mfaStep: 'recovery',
      code: recoveryCodes[3]!,
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('That recovery code is not valid or was already used.');
  });

  it('guessing is limited: five wrong codes lock TOTP and recovery codes for a while', async () => {
    const { upn, id } = await createMember('guessed');
    const { secret, recoveryCodes } = await enrol(upn);
    clock.advance(30_000);
    const { browser, page } = await toCodePage(upn);
    let current = page;
    for (let i = 0; i < 4; i++) {
      current = await browser.submit(current, '/mfa', { code: String(100000 + i) });
      expect(current.statusCode).toBe(401);
    }
    current = await browser.submit(current, '/mfa', { mfaStep: 'recovery', code: 'AAAAA-AAAAA' });
    expect(current.statusCode).toBe(429);
    expect(current.body).toContain('Two-step verification is locked');
    // Locked: even the right code and a good recovery code are refused, from any browser.
    const other = await toCodePage(upn);
    expect((await other.browser.submit(other.page, '/mfa', { code: codeAt(secret, clock) })).statusCode).toBe(
      429,
    );
    expect(
      (await other.browser.submit(other.page, '/mfa', { mfaStep: 'recovery', code: recoveryCodes[0]! }))
        .statusCode,
    ).toBe(429);
    expect(
      (await signIns(id)).some((entry) => (entry.status as { errorCode: number }).errorCode === 500121),
    ).toBe(true);
    // The lock ends.
    clock.advance(16 * 60_000);
    const later = await toCodePage(upn);
    const callback = await follow(
      later.browser,
      await later.browser.submit(later.page, '/mfa', { code: codeAt(secret, clock) }),
      REDIRECT,
    );
    expect(callback.statusCode).toBe(303);
    clock.reset();
  });

  it('guessing recovery codes alone is limited the same way', async () => {
    const { upn } = await createMember('recoveryguess');
    const { recoveryCodes } = await enrol(upn);
    const { browser, page } = await toCodePage(upn);
    let current = page;
    for (let i = 0; i < 5; i++) {
      current = await browser.submit(current, '/mfa', { mfaStep: 'recovery', code: `ZZZZZ-ZZZZ${i}` });
      expect(current.statusCode).toBe(i < 4 ? 401 : 429);
    }
    const good = await browser.submit(current, '/mfa', { mfaStep: 'recovery', code: recoveryCodes[1]! });
    expect(good.statusCode).toBe(429);
    expect(good.body).toContain('try again in 15 minutes');
  });

  it('the key is stored encrypted, the recovery codes hashed', async () => {
    const { upn, id } = await createMember('atrest');
    const { secret, recoveryCodes } = await enrol(upn);
    const db = t.app.services.db;
    const method = await db
      .selectFrom('mfa_methods')
      .selectAll()
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(method.secret_encrypted).not.toContain(secret);
    expect(method.secret_encrypted).toMatch(/^v1\./);
    const stored = await db
      .selectFrom('mfa_recovery_codes')
      .select('code_hash')
      .where('user_id', '=', id)
      .execute();
    expect(stored).toHaveLength(10);
    const hashes = stored.map((row) => row.code_hash).join(' ');
    for (const code of recoveryCodes) {
      expect(hashes).not.toContain(code);
      expect(hashes).not.toContain(code.replace('-', ''));
    }
  });

  it("an administrator's reset forces re-enrolment and retires the recovery codes", async () => {
    const { upn, id } = await createMember('reset');
    const { recoveryCodes } = await enrol(upn);
    const listed = await admin.get(`/v1.0/users/${id}/authentication/softwareOathMethods`);
    const [method] = (listed.json() as { value: Array<{ id: string }> }).value;
    expect(method).toBeDefined();
    expect(
      (await admin.delete(`/v1.0/users/${id}/authentication/softwareOathMethods/${method!.id}`)).statusCode,
    ).toBe(204);
    expect((await admin.get(`/v1.0/users/${id}/authentication/softwareOathMethods`)).json()).toMatchObject({
      value: [],
    });
    const fresh = await openApp(t, t.tenant.tenantId, appId);
    const page = await passwordSignIn(fresh.browser, fresh.page, upn, PASSWORD);
    expect(isEnrolPage(page)).toBe(true);
    expect(shownSecret(page)).not.toBe('');
    // An old recovery code is not a way around enrolment.
    const posted = await fresh.browser.submit(page, '/mfa', { mfaStep: 'recovery', code: recoveryCodes[0]! });
    expect(isEnrolPage(posted)).toBe(true);
  });

  it('French pages, labelled fields, CSRF-protected forms', async () => {
    const { upn } = await createMember('francais');
    const browser = pageClient(t.app, { 'accept-language': 'fr-FR' });
    const { page } = await openApp(t, t.tenant.tenantId, appId, browser);
    const enrolment = await passwordSignIn(browser, page, upn, PASSWORD);
    expect(enrolment.body).toContain('Configurer la vérification en deux étapes');
    expect(enrolment.body).toContain('<label for="code">Code de l’application</label>');
    const form = /<form method="post" action="([^"]+)">/.exec(enrolment.body)![1]!;
    const forged = await browser.post(form, { mfaStep: 'enrol', code: '123456' });
    expect(forged.statusCode).toBe(403);
  });
});
