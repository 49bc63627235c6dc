import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker.js';
import {
  buildTestApp,
  provisionOtherTenant,
  silentMailLogger,
  type TestApp,
} from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, callerWithPermissions, type GraphClient } from '../helpers/graph.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on a loopback port: answers each request with the next status of `answers` (then 200). */
async function startReceiver(answers: number[]) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = answers.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/foyer`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does: recompute the HMAC over `<t>.<body>` with the secret, compare in constant time. */
function signatureValid(secret: string, message: Received): boolean {
  const header = String(message.headers['foyer-signature']);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  expect(match[1]).toBe(message.headers['foyer-timestamp']);
  const expected = createHmac('sha256', secret).update(`${match[1]}.${message.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

describe.each(testDialects())('webhooks on %s', (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let admin: GraphClient;
  let worker: WebhookWorker;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: { FOYER_INVITE_RATE_LIMIT: '0' } });
    admin = await adminCaller(t);
    worker = startWebhookWorker(t.app.services, {
      pollMs: 60_000,
      logger: silentMailLogger,
      random: () => 0,
    });
  });
  afterAll(async () => {
    await worker.stop();
    await t.close();
  });

  it('delivers a signed invitation event, retries a refused delivery with backoff, and logs both attempts', async () => {
    const receiver = await startReceiver([500]);
    try {
      const created = await admin.post('/v1.0/webhooks', {
        url: receiver.url,
        events: ['invitation.created', 'invitation.revoked'],
        description: 'CRM sync',
      });
      expect(created.statusCode, created.body).toBe(201);
      const endpoint = created.json();
      expect(endpoint).toMatchObject({
        url: receiver.url,
        events: ['invitation.created', 'invitation.revoked'],
      });
      expect(endpoint.secret).toMatch(/^whsec_[\w-]{43}$/);
      // Shown once: never in a read.
      expect((await admin.get(`/v1.0/webhooks/${endpoint.id}`)).json()).not.toHaveProperty('secret');
      expect((await admin.get('/v1.0/webhooks')).body).not.toContain(endpoint.secret);

      const invited = await admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: 'hooked@fabrikam.example',
        inviteRedirectUrl: 'https://apps.contoso.example',
      });
      expect(invited.statusCode).toBe(201);

      await worker.drain();
      expect(receiver.received).toHaveLength(1);
      let log = (await admin.get(`/v1.0/webhooks/${endpoint.id}/deliveries`)).json().value;
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        eventType: 'invitation.created',
        status: 'pending',
        attempts: 1,
        lastStatusCode: 500,
        lastError: 'the endpoint answered 500',
        attemptLog: [{ attempt: 1, statusCode: 500, error: 'the endpoint answered 500' }],
      });
      // Backoff: nothing is due before the first retry delay (5 s) has passed.
      await worker.drain();
      expect(receiver.received).toHaveLength(1);
      clock.advance(6_000);
      await worker.drain();
      expect(receiver.received).toHaveLength(2);

      log = (await admin.get(`/v1.0/webhooks/${endpoint.id}/deliveries`)).json().value;
      expect(log[0]).toMatchObject({
        status: 'delivered',
        attempts: 2,
        lastStatusCode: 200,
        lastError: null,
        attemptLog: [
          { attempt: 1, statusCode: 500 },
          { attempt: 2, statusCode: 200, error: null },
        ],
      });
      expect(log[0].deliveredDateTime).toEqual(expect.any(String));

      // Both attempts: the same event id (receivers dedupe by it), each signed with the endpoint's secret.
      const [first, second] = receiver.received as [Received, Received];
      for (const message of [first, second]) {
        expect(message.headers['content-type']).toBe('application/json');
        expect(signatureValid(endpoint.secret, message)).toBe(true);
        expect(signatureValid('whsec_not-the-secret', message)).toBe(false);
      }
      expect(second.headers['foyer-event-id']).toBe(first.headers['foyer-event-id']);
      expect(second.body).toBe(first.body);
      const event = JSON.parse(second.body);
      expect(event).toMatchObject({
        id: first.headers['foyer-event-id'],
        type: 'invitation.created',
        tenantId: t.tenant.tenantId,
        data: {
          targets: [{ id: invited.json().invitedUser.id, type: 'User' }],
          details: { invitationId: invited.json().id, invitedUserEmailAddress: 'hooked@fabrikam.example' },
        },
      });
      // The event never carries the redeem link's ticket.
      expect(second.body).not.toContain('ticket');
      expect(log[0].eventId).toBe(event.id);

      // An event the endpoint did not subscribe to (resend) is not delivered; revoke is.
      await admin.post(`/v1.0/invitations/${invited.json().id}/resend`);
      await admin.post(`/v1.0/invitations/${invited.json().id}/revoke`);
      await worker.drain();
      expect(receiver.received.map((r) => r.headers['foyer-event-type'])).toEqual([
        'invitation.created',
        'invitation.created',
        'invitation.revoked',
      ]);
      expect(signatureValid(endpoint.secret, receiver.received[2]!)).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('validates the endpoint, and only administrators of the tenant manage it', async () => {
    for (const [body, message] of [
      [{ url: 'not a url', events: ['invitation.created'] }, /not an absolute URL/],
      [{ url: 'ftp://example.com/x', events: ['invitation.created'] }, /must use https/],
      [{ url: 'https://user:pw@example.com/x', events: ['invitation.created'] }, /credentials/],
    ] as const) {
      const refused = await admin.post('/v1.0/webhooks', body);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().error.message).toMatch(message);
    }
    const unknownEvent = await admin.post('/v1.0/webhooks', {
      url: 'https://example.com',
      events: ['user.created'],
    });
    expect(unknownEvent.statusCode).toBe(400);
    const noEvent = await admin.post('/v1.0/webhooks', { url: 'https://example.com', events: [] });
    expect(noEvent.statusCode).toBe(400);

    const inviter = await callerWithPermissions(t, admin, ['User.Invite.All']);
    const forbidden = await inviter.post('/v1.0/webhooks', {
      url: 'https://example.com',
      events: ['invitation.created'],
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('Authorization_RequestDenied');

    const created = (
      await admin.post('/v1.0/webhooks', { url: 'https://example.com/a', events: ['guest.left'] })
    ).json();
    const other = await callerFor(t, await provisionOtherTenant(t));
    expect((await other.get(`/v1.0/webhooks/${created.id}`)).statusCode).toBe(404);
    expect((await other.get('/v1.0/webhooks')).json().value).toEqual([]);
    expect((await other.delete(`/v1.0/webhooks/${created.id}`)).statusCode).toBe(404);
    expect((await admin.delete(`/v1.0/webhooks/${created.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/v1.0/webhooks/${created.id}`)).statusCode).toBe(404);
  });
});

describe('webhooks in production refuse private and loopback addresses (SSRF)', () => {
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp('sqlite', {
      env: {
        FOYER_ENV: 'production',
        FOYER_SECRET: 'production-secret-that-is-long-enough-0123456789',
        FOYER_SMTP_URL: 'smtp://127.0.0.1:2525',
      },
    });
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it('refuses loopback, private, link-local and plain-http endpoints with a clear 400', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.10/hook',
      'https://172.20.0.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00::1]/hook',
    ]) {
      const refused = await admin.post('/v1.0/webhooks', { url, events: ['invitation.created'] });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json().error.message, url).toMatch(/private or loopback address/);
    }
    const http = await admin.post('/v1.0/webhooks', {
      url: 'http://93.184.215.14/hook',
      events: ['invitation.created'],
    });
    expect(http.statusCode).toBe(400);
    expect(http.json().error.message).toMatch(/must use https/);
    const publicAddress = await admin.post('/v1.0/webhooks', {
      url: 'https://93.184.215.14/hook',
      events: ['invitation.created'],
    });
    expect(publicAddress.statusCode, publicAddress.body).toBe(201);
    expect((await admin.get('/v1.0/webhooks')).json().value).toHaveLength(1);
  });
});
