import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import {
  type CreatedApplication,
  createApplicationWith,
  type DirectoryContext,
  directoryContext,
} from '../directory/support.js';
import { standingClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';

/**
 * Issue: throttling was charged before authorization, so an app without permissions could exhaust the tenant's
 * invitation and API budgets for everyone. Budgets are per caller within the tenant (as Graph throttles per
 * app per tenant); the tenant-wide ceiling is consumed by successful calls only.
 */
const API_TENANT = 12;
const API_PER_CALLER = 8;
const INVITES = 5;
const env = {
  FOYER_API_RATE_LIMIT: String(API_TENANT),
  FOYER_API_RATE_LIMIT_PER_CALLER: String(API_PER_CALLER),
  FOYER_INVITE_RATE_LIMIT: String(INVITES),
  FOYER_INVITE_RATE_WINDOW_SECONDS: '60',
};

const invitation = (email: string) => ({
  invitedUserEmailAddress: email,
  inviteRedirectUrl: 'https://apps.contoso.example/welcome',
});

it('per-caller budgets default to the tenant limits (a caller alone may use the whole budget)', () => {
  const { rateLimits } = loadConfig({});
  expect(rateLimits.apiPerCaller).toEqual(rateLimits.api);
  expect(rateLimits.invitationsPerCaller).toEqual(rateLimits.invitations);
});

describe.each(testDialects())('per-caller throttling on %s', (dialect) => {
  const clock = standingClock();
  let ctx: DirectoryContext;
  let nobody: CreatedApplication;
  let reader: CreatedApplication;
  let inviter: CreatedApplication;
  beforeAll(async () => {
    ctx = await directoryContext(dialect, { env, clock });
    nobody = await createApplicationWith(ctx, []);
    reader = await createApplicationWith(ctx, ['User.Read.All']);
    inviter = await createApplicationWith(ctx, ['User.Invite.All']);
  });
  afterAll(() => ctx?.close());

  it('an app without permissions exhausts only its own invitation budget; 403s cost nobody else', async () => {
    clock.nextWindow(60_000);
    for (let n = 0; n < INVITES; n++) {
      expect((await nobody.api.post('/invitations', invitation(`spam${n}@fabrikam.com`))).statusCode).toBe(
        403,
      );
    }
    expect((await nobody.api.post('/invitations', invitation('spam-more@fabrikam.com'))).statusCode).toBe(
      429,
    );
    for (let n = 0; n < INVITES; n++) {
      const response = await inviter.api.post('/invitations', invitation(`real${n}@fabrikam.com`));
      expect(response.statusCode, `invitation ${n + 1}`).toBe(201);
    }
    // The tenant ceiling is now spent by successful invitations: everyone waits, the administrator too.
    expect((await ctx.api.post('/invitations', invitation('late@fabrikam.com'))).statusCode).toBe(429);
  });

  it('an app without permissions exhausts only its own API budget', async () => {
    clock.nextWindow(5_000);
    for (let n = 0; n < API_PER_CALLER; n++) expect((await nobody.api.get('/users')).statusCode).toBe(403);
    const throttled = await nobody.api.get('/users');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('TooManyRequests');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    for (let n = 0; n < API_PER_CALLER; n++) expect((await reader.api.get('/users')).statusCode).toBe(200);
    // The caller's own budget is spent: 429 for it, not for the others.
    expect((await reader.api.get('/users')).statusCode).toBe(429);
    expect((await ctx.api.get('/users')).statusCode).toBe(200);
  });

  it('the tenant ceiling holds over all callers, counting successful calls only', async () => {
    clock.nextWindow(5_000);
    for (let n = 0; n < API_PER_CALLER; n++) expect((await reader.api.get('/users')).statusCode).toBe(200);
    const remaining = API_TENANT - API_PER_CALLER;
    for (let n = 0; n < remaining; n++)
      expect((await ctx.api.get('/users')).statusCode, `call ${n + 1}`).toBe(200);
    expect((await ctx.api.get('/users')).statusCode).toBe(429);
    expect((await inviter.api.get('/organization')).statusCode).toBe(429);
  });
});
