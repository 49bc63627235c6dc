import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import {
  buildTestApp,
  provisionOtherTenant,
  secondInstance,
  type TestApp,
} from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, type GraphClient, graphClient } from '../helpers/graph.js';
import { invitation } from './support.js';

const LIMIT = 5;
const WINDOW_SECONDS = 60;
const env = {
  FOYER_INVITE_RATE_LIMIT: String(LIMIT),
  FOYER_INVITE_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS),
};

/**
 * Moves the clock forward to one second into the next counting window: a window no earlier request touched,
 * and one the test will not straddle. The clock only ever moves forward (a few minutes at most, well inside
 * the tokens' hour).
 */
function startOfAWindow(clock: ReturnType<typeof movableClock>) {
  const windowMs = WINDOW_SECONDS * 1000;
  const now = clock.now().getTime();
  clock.advance(Math.ceil(now / windowMs) * windowMs + 1000 - now);
}

const expectThrottled = (response: {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): unknown;
}) => {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  return retryAfter;
};

it('defaults to 150 invitation requests per 5 seconds per tenant (PRODUCT §3)', () => {
  expect(loadConfig({}).rateLimits.invitations).toEqual({ limit: 150, windowSeconds: 5 });
});

describe.each(testDialects())('invitation throttling on %s', (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { env, clock });
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it(`the ${LIMIT + 1}th request in a window is a 429 TooManyRequests with Retry-After, and creates nothing`, async () => {
    startOfAWindow(clock);
    for (let n = 1; n <= LIMIT; n++) {
      const response = await admin.post('/v1.0/invitations', invitation(`t${n}@fabrikam.com`));
      expect(response.statusCode, `request ${n}`).toBe(201);
    }
    const refused = await admin.post('/v1.0/invitations', invitation('sixth@fabrikam.com'));
    const retryAfter = expectThrottled(refused);
    expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 10);
    expect(
      (await admin.get("/v1.0/users?$filter=mail eq 'sixth@fabrikam.com'&$count=true")).json()[
        '@odata.count'
      ],
    ).toBe(0);

    // Only invitations are throttled this tightly: the rest of the API still answers.
    expect((await admin.get('/v1.0/organization')).statusCode).toBe(200);

    // The next window starts afresh.
    clock.advance(WINDOW_SECONDS * 1000);
    expect((await admin.post('/v1.0/invitations', invitation('sixth@fabrikam.com'))).statusCode).toBe(201);
  });

  it('counts per tenant: another tenant is unaffected', async () => {
    const fabrikam = await callerFor(t, await provisionOtherTenant(t, 'Fabrikam'));
    startOfAWindow(clock);
    for (let n = 1; n <= LIMIT; n++) {
      expect((await admin.post('/v1.0/invitations', invitation(`u${n}@fabrikam.com`))).statusCode).toBe(201);
    }
    expectThrottled(await admin.post('/v1.0/invitations', invitation('u6@fabrikam.com')));
    for (let n = 1; n <= LIMIT; n++) {
      const response = await fabrikam.post('/v1.0/invitations', invitation(`v${n}@contoso.example`));
      expect(response.statusCode, `other tenant, request ${n}`).toBe(201);
    }
    expectThrottled(await fabrikam.post('/v1.0/invitations', invitation('v6@contoso.example')));
  });

  it('resend and invalid requests count too', async () => {
    startOfAWindow(clock);
    const created = await admin.post('/v1.0/invitations', invitation('w@fabrikam.com'));
    expect(created.statusCode).toBe(201);
    expect((await admin.post('/v1.0/invitations', invitation('not-an-email'))).statusCode).toBe(400);
    for (let n = 3; n <= LIMIT; n++) {
      expect(
        (await admin.post(`/v1.0/invitations/${created.json().id}/resend`)).statusCode,
        `request ${n}`,
      ).toBe(200);
    }
    expectThrottled(await admin.post(`/v1.0/invitations/${created.json().id}/resend`));
    expectThrottled(await admin.post('/v1.0/invitations', invitation('w2@fabrikam.com')));
  });
});

// Two instances can only share a database on PostgreSQL (the SQLite test database is in memory).
describe.skipIf(!process.env.FOYER_TEST_DATABASE_URL && process.env.CI !== 'true')(
  'invitation throttling across two instances on one PostgreSQL database',
  () => {
    const clock = movableClock();
    let t: TestApp;
    let other: Awaited<ReturnType<typeof secondInstance>>;

    beforeAll(async () => {
      t = await buildTestApp('postgres', { env, clock });
      other = await secondInstance(t, { env, clock });
    });
    afterAll(async () => {
      await other?.close();
      await t?.close();
    });

    it('shares one counter: the limit holds over both', async () => {
      const first = await adminCaller(t);
      const second = graphClient(other.app, first.token);
      startOfAWindow(clock);
      const callers = [first, second, first, second, first];
      for (const [n, caller] of callers.entries()) {
        expect(
          (await caller.post('/v1.0/invitations', invitation(`x${n}@fabrikam.com`))).statusCode,
          `request ${n + 1}`,
        ).toBe(201);
      }
      expectThrottled(await second.post('/v1.0/invitations', invitation('x6@fabrikam.com')));
      expectThrottled(await first.post('/v1.0/invitations', invitation('x7@fabrikam.com')));
      // Both instances see the same directory: the refused addresses exist on neither.
      for (const caller of [first, second]) {
        const count = (await caller.get("/v1.0/users?$filter=startswith(mail,'x')&$count=true")).json()[
          '@odata.count'
        ];
        expect(count).toBe(LIMIT);
      }
    });

    it('holds under a concurrent burst on both instances: exactly the limit gets through', async () => {
      const first = await adminCaller(t);
      const second = graphClient(other.app, first.token);
      startOfAWindow(clock);
      const responses = await Promise.all(
        Array.from({ length: 16 }, (_, n) =>
          (n % 2 === 0 ? first : second).post('/v1.0/invitations', invitation(`burst${n}@fabrikam.com`)),
        ),
      );
      const codes = responses.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(LIMIT);
      expect(codes.filter((c) => c === 429)).toHaveLength(16 - LIMIT);
    });
  },
);
