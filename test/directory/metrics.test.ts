import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackgroundJobs } from '../../src/jobs/index.js';
import { devMailboxTransport } from '../../src/mail/transports.js';
import { recordSignIn } from '../../src/metrics/registry.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { type GraphClient, graphClient, tokenFor, V1 } from '../helpers/graph.js';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789';

const invitation = (n: number, send = true) => ({
  invitedUserEmailAddress: `guest${n}@fabrikam.example`,
  inviteRedirectUrl: 'https://apps.example.com',
  sendInvitationMessage: send,
});

describe.each(testDialects())('/metrics on %s', (dialect) => {
  let t: TestApp;
  let api: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: {
        FOYER_METRICS_TOKEN: METRICS_TOKEN,
        // Three invitations per hour: a slow machine cannot let the window roll over between the requests.
        FOYER_INVITE_RATE_LIMIT: '3',
        FOYER_INVITE_RATE_WINDOW_SECONDS: '3600',
        FOYER_TRUST_PROXY: 'true',
      },
    });
    api = graphClient(t.app, await tokenFor(t.app, t.tenant), V1);
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const lines = response.body.split('\n');
    return (series: string): number | undefined => {
      const line = lines.find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
  };

  it('is served to this machine, or with the configured bearer token; never to a forged loopback address', async () => {
    const remote = { remoteAddress: '203.0.113.7' };
    const anonymous = await t.app.inject({ method: 'GET', url: '/metrics', ...remote });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('foyer_');
    const forged = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      ...remote,
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(forged.statusCode).toBe(401);
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      ...remote,
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    });
    expect(wrong.statusCode).toBe(401);
    const scraper = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      ...remote,
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scraper.statusCode).toBe(200);
    expect(scraper.body).toContain('foyer_http_requests_total');
  });

  it('counts invitations by outcome, throttled requests, the outbox, deliveries, job runs and sign-ins', async () => {
    const created = await api.post('/invitations', invitation(1));
    expect(created.statusCode, created.body).toBe(201);
    const refused = await api.post('/invitations', { ...invitation(2), inviteRedirectUrl: 'not a url' });
    expect(refused.statusCode).toBe(400);
    expect((await api.post('/invitations', invitation(3, false))).statusCode).toBe(201);
    // The limit is 3 per window: the fourth is throttled.
    const throttled = await api.post('/invitations', invitation(4));
    expect(throttled.statusCode).toBe(429);

    let value = await scrape();
    expect(value('foyer_invitations_total{outcome="created"}')).toBe(2);
    expect(value('foyer_invitations_total{outcome="refused"}')).toBe(1);
    expect(value('foyer_invitations_total{outcome="throttled"}')).toBe(1);
    expect(value('foyer_throttled_requests_total{route="/v1.0/invitations"}')).toBe(1);
    expect(value('foyer_outbox_depth')).toBe(1);
    expect(value('foyer_outbox_mails{status="pending"}')).toBe(1);
    expect(value('foyer_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);

    recordSignIn(t.app.services.metrics, 'success');
    recordSignIn(t.app.services.metrics, 'failure');
    recordSignIn(t.app.services.metrics, 'failure');

    const jobs = startBackgroundJobs(t.app.services, t.app.log, {
      transport: devMailboxTransport(),
      periodMs: 20,
    });
    try {
      await expect
        .poll(async () => (await scrape())('foyer_job_runs_total{job="oidc_purge",result="success"}'))
        .toBeGreaterThanOrEqual(1);
      await expect.poll(async () => (await scrape())('foyer_outbox_depth')).toBe(0);
    } finally {
      await jobs.stop();
    }
    value = await scrape();
    expect(value('foyer_mail_deliveries_total{result="sent"}')).toBe(1);
    expect(value('foyer_outbox_mails{status="pending"}')).toBe(0);
    expect(value('foyer_outbox_oldest_age_seconds')).toBe(0);
    expect(value('foyer_job_runs_total{job="invitation_deadlines",result="success"}')).toBeGreaterThanOrEqual(
      1,
    );
    expect(value('foyer_sign_ins_total{result="success"}')).toBe(1);
    expect(value('foyer_sign_ins_total{result="failure"}')).toBe(2);
  });
});
