import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller } from '../helpers/graph.js';
import { pageClient } from '../helpers/page-client.js';
import { inviteGuest, latestCode } from '../redemption/support.js';

describe.each(testDialects())('/signup: a personal account owned by no tenant (%s)', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(() => t.close());

  it('creates the account once the address is verified by a mailed code, then redemption offers it', async () => {
    const email = 'Self.Starter@Personal.example';
    const browser = pageClient(t.app);
    const start = await browser.get('/signup');
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain('Create your account');
    const form = await browser.submit(start, '/signup/identify', { email });
    expect(form.body).toContain('Your name');
    // The code mail belongs to no tenant.
    const mail = await t.app.services.db
      .selectFrom('mail_outbox')
      .select(['tenant_id', 'from_name'])
      .where('category', '=', 'code.signup')
      .executeTakeFirstOrThrow();
    expect(mail).toEqual({ tenant_id: null, from_name: 'Foyer' });

    const wrong = await browser.submit(form, '/signup/signup', {
      code: '00000000',
      displayName: 'Self Starter',
      password: 'a long enough passphrase',
    });
    expect(wrong.statusCode).toBe(401);
    const done = await browser.submit(wrong, '/signup/signup', {
      code: await latestCode(t, email),
      displayName: 'Self Starter',
      password: 'a long enough passphrase',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your account is ready');
    const account = await t.app.services.db
      .selectFrom('personal_accounts')
      .selectAll()
      .where('email_lower', '=', email.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(account.display_name).toBe('Self Starter');

    // Signing up again with the same address: the account exists; sign in instead.
    const again = pageClient(t.app);
    const exists = await again.submit(await again.get('/signup'), '/signup/identify', { email });
    expect(exists.body).toContain('An account already exists');

    // An invitation to the address now redeems with that account's password (PRODUCT §4.3 step 4).
    const { path } = await inviteGuest(await adminCaller(t), email);
    const redeem = pageClient(t.app);
    const passwordPage = await redeem.submit(await redeem.get(path), '/redeem/start');
    expect(passwordPage.body).toContain('Enter your password');
    const consent = await redeem.submit(passwordPage, '/redeem/password', {
      password: 'a long enough passphrase',
    });
    expect(consent.body).toContain('Review permissions');
  });

  it('refuses a weak password and a missing form token', async () => {
    const email = 'weak@personal.example';
    const browser = pageClient(t.app);
    const form = await browser.submit(await browser.get('/signup'), '/signup/identify', { email });
    const weak = await browser.submit(form, '/signup/signup', {
      code: await latestCode(t, email),
      displayName: 'Weak',
      password: 'short',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('at least 12 characters');
    const forged = await browser.submit(form, '/signup/signup', { csrf: 'forged', code: '1', password: 'x' });
    expect(forged.statusCode).toBe(403);
  });
});
