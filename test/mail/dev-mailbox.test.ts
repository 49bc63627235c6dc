import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/app/services.js';
import { composeInvitationMail } from '../../src/mail/invitation-mail.js';
import { enqueueMail, findOutboxMail } from '../../src/mail/outbox-store.js';
import { devMailboxEnabled, mailPlugin } from '../../src/mail/routes.js';
import { createMailTransport } from '../../src/mail/transports.js';
import { startMailWorker } from '../../src/mail/worker.js';
import { buildTestApp } from '../helpers/build-test-app.js';
import { type MailTestDatabase, mailTestDialects, recordingLogger } from './support.js';

async function appWith(
  services: Services,
  options: { trustProxy?: boolean | ((address: string, hop: number) => boolean) } = {},
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...options });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(mailPlugin, { services });
  await app.ready();
  return app;
}

describe.each(mailTestDialects())('dev mailbox on $name', (dialect) => {
  let t: MailTestDatabase;
  let app: FastifyInstance;
  let mailId: string;

  beforeAll(async () => {
    t = await dialect.open();
    app = await appWith(t.services);
    ({ id: mailId } = await enqueueMail(
      t.services.db,
      t.services,
      composeInvitationMail({
        tenantId: t.tenantId,
        to: { address: 'guest@fabrikam.com', name: '<img src=x onerror=alert(1)>' },
        inviterMail: 'eve@contoso.com',
        content: {
          inviterName: '<script>alert("name")</script> & Co',
          organizationName: 'Contoso',
          organizationDomain: 'contoso.foyer.localhost',
          redeemUrl: 'https://foyer.test/redeem?ticket=abc&x=1',
          blockUrl: 'https://foyer.test/block?token=def',
          customMessage: '<script>alert("message")</script>\nTom & Jerry',
        },
        languages: {},
      }),
    ));
    // Without SMTP, outside production, the transport is the dev mailbox: delivery marks the row sent.
    const transport = createMailTransport(t.services.config);
    expect(transport.name).toBe('dev-mailbox');
    const worker = startMailWorker(t.services, transport, { pollMs: 3_600_000, logger: recordingLogger() });
    await worker.drain();
    await worker.stop();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('lists messages, newest first, in an accessible table, everything escaped', async () => {
    const later = new Date(t.services.clock.now().getTime() + 1000);
    t.services.clock.advance(1000);
    await enqueueMail(t.services.db, t.services, {
      tenantId: t.tenantId,
      category: 'test',
      to: [{ address: 'second@fabrikam.com' }],
      subject: 'Second & last',
      html: '<p>2</p>',
      text: '2',
      language: 'en-US',
      notBefore: later,
    });

    const response = await app.inject({ method: 'GET', url: '/dev/mailbox' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    const html = response.body;
    expect(html).toContain('<html lang="en-US">');
    expect(html).toContain('<h1>Dev mailbox</h1>');
    expect(html).toContain('<th scope="col">Subject</th>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; Co invited you');
    expect(html).toContain('Second &amp; last');
    expect(html.indexOf('Second &amp; last')).toBeLessThan(html.indexOf('invited you'));
    expect(html).toContain(`href="/dev/mailbox/${mailId}"`);
  });

  it('shows one message: headers, the HTML part in a sandboxed frame, the text part', async () => {
    const response = await app.inject({ method: 'GET', url: `/dev/mailbox/${mailId}` });
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(
      '<th scope="row">From</th><td>&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; Co via Foyer',
    );
    expect(html).toContain('<th scope="row">Reply-To</th>');
    expect(html).toContain('<th scope="row">Message-ID</th>');
    expect(html).toContain('<th scope="row">Delivered via</th><td>dev-mailbox</td>');
    expect(html).toContain(
      `<iframe title="HTML part of the message" sandbox="" src="/dev/mailbox/${mailId}/html"`,
    );
    expect(html).toContain('&lt;script&gt;alert(&quot;message&quot;)&lt;/script&gt;\nTom &amp; Jerry');
    // Links in the text part are followable (a developer redeems from here).
    expect(html).toContain('<a href="https://foyer.test/redeem?ticket=abc&amp;x=1">');
  });

  it('keeps the delivered row whole: it is the message, its links must work', async () => {
    const row = await findOutboxMail(t.services.db, mailId);
    expect(row).toMatchObject({ status: 'sent', deliveredVia: 'dev-mailbox' });
    expect(row?.text).toContain('https://foyer.test/redeem?ticket=abc&x=1');
    expect(row?.text).toContain('https://foyer.test/block?token=def');
    expect(row?.html).toContain('href="https://foyer.test/redeem?ticket=abc&amp;x=1"');
    expect(row?.html).not.toContain('[redacted]');
  });

  it('answers clients on this machine only; anyone else gets a 404, as for an unknown route', async () => {
    const paths = ['/dev/mailbox', `/dev/mailbox/${mailId}`, `/dev/mailbox/${mailId}/html`];
    for (const url of paths) {
      for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
        expect((await app.inject({ method: 'GET', url, remoteAddress })).statusCode).toBe(200);
      }
      for (const remoteAddress of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', '2001:db8::1']) {
        const response = await app.inject({ method: 'GET', url, remoteAddress });
        expect(response.statusCode).toBe(404);
        expect(response.body).not.toContain('foyer.test');
        expect(response.body).not.toContain('Dev mailbox');
        expect(response.body).not.toContain('Message not found');
      }
    }
    const unknown = await app.inject({ method: 'GET', url: '/no/such/route', remoteAddress: '10.0.0.5' });
    const hidden = await app.inject({ method: 'GET', url: '/dev/mailbox', remoteAddress: '10.0.0.5' });
    expect(hidden.statusCode).toBe(unknown.statusCode);
    expect(hidden.json()).toEqual({ ...unknown.json(), message: 'Route GET:/dev/mailbox not found' });
  });

  it('goes by the client address behind a trusted proxy, not by the proxy', async () => {
    const proxied = await appWith(t.services, { trustProxy: true });
    try {
      const through = (forwardedFor: string) =>
        proxied.inject({ method: 'GET', url: '/dev/mailbox', headers: { 'x-forwarded-for': forwardedFor } });
      expect((await through('10.0.0.5')).statusCode).toBe(404);
      expect((await through('127.0.0.1')).statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('cannot be opened from elsewhere by forging X-Forwarded-For: 127.0.0.1, whatever the proxy trust', async () => {
    const hops = (n: number) => (_address: string, hop: number) => hop < n;
    for (const trustProxy of [true, hops(1), hops(2)]) {
      const proxied = await appWith(t.services, { trustProxy });
      try {
        for (const forwardedFor of ['127.0.0.1', '::1', '127.0.0.1, 127.0.0.1']) {
          const response = await proxied.inject({
            method: 'GET',
            url: '/dev/mailbox',
            remoteAddress: '203.0.113.7',
            headers: { 'x-forwarded-for': forwardedFor },
          });
          expect(response.statusCode, `${trustProxy} ${forwardedFor}`).toBe(404);
        }
        // Through a proxy on this machine, a client elsewhere stays elsewhere even in the middle of the chain.
        const chained = await proxied.inject({
          method: 'GET',
          url: '/dev/mailbox',
          headers: { 'x-forwarded-for': '203.0.113.7, 127.0.0.1' },
        });
        expect(chained.statusCode).toBe(404);
      } finally {
        await proxied.close();
      }
    }
  });

  it('serves the HTML part inert, under a sandboxing CSP', async () => {
    const response = await app.inject({ method: 'GET', url: `/dev/mailbox/${mailId}/html` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toMatch(/(^|; )sandbox($|;)/);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('Accept invitation');
    expect(response.body).not.toContain('<script');
  });

  it('answers 404 for an unknown message', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/dev/mailbox/00000000-0000-0000-0000-000000000000',
    });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Message not found');
  });
});

describe('where the dev mailbox exists', () => {
  it('outside production, without SMTP only', () => {
    expect(devMailboxEnabled({ env: 'test', smtpUrl: undefined })).toBe(true);
    expect(devMailboxEnabled({ env: 'test', smtpUrl: 'smtp://127.0.0.1:25' })).toBe(false);
    expect(devMailboxEnabled({ env: 'production', smtpUrl: 'smtp://127.0.0.1:25' })).toBe(false);
    expect(devMailboxEnabled({ env: 'production', smtpUrl: undefined })).toBe(false);
  });

  it('is not registered outside production when SMTP is configured', async () => {
    const [sqlite] = mailTestDialects();
    const t = await sqlite!.open({ env: 'test', smtpUrl: 'smtp://127.0.0.1:1' });
    const app = await appWith(t.services);
    try {
      for (const url of ['/dev/mailbox', '/dev/mailbox/x', '/dev/mailbox/x/html']) {
        expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
      }
    } finally {
      await app.close();
      await t.close();
    }
  });
});

describe('dev mailbox in the whole app', () => {
  it("hides from a remote client behind the app's own 404, shown to a local one", async () => {
    const t = await buildTestApp('sqlite');
    try {
      const remote = (url: string) => t.app.inject({ method: 'GET', url, remoteAddress: '10.0.0.5' });
      const hidden = await remote('/dev/mailbox');
      const unknown = await remote('/dev/mailboxes');
      expect(hidden.statusCode).toBe(404);
      expect(Object.keys(hidden.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
      expect(hidden.headers['content-type']).toBe(unknown.headers['content-type']);
      // The same error, but for the path, the request id and the time.
      const withoutIds = (body: string) =>
        body.replace(/\/dev\/mailbox(es)?/g, 'PATH').replace(/"[\w-]*(request-id|date)":"[^"]*"/g, '');
      expect(withoutIds(hidden.body)).toBe(withoutIds(unknown.body));
      expect((await t.app.inject({ method: 'GET', url: '/dev/mailbox' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('dev mailbox in production', () => {
  it('is not registered at all', async () => {
    const [sqlite] = mailTestDialects();
    const t = await sqlite!.open({ env: 'production', smtpUrl: 'smtp://127.0.0.1:1' });
    const app = await appWith(t.services);
    try {
      for (const url of ['/dev/mailbox', '/dev/mailbox/x', '/dev/mailbox/x/html']) {
        expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
      }
      expect(() => createMailTransport({ env: 'production', smtpUrl: undefined })).toThrow('FOYER_SMTP_URL');
      const smtp = createMailTransport(t.services.config);
      expect(smtp.name).toBe('smtp');
      await smtp.close();
    } finally {
      await app.close();
      await t.close();
    }
  });
});
