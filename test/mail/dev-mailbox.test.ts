import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/app/services.js';
import { composeInvitationMail } from '../../src/mail/invitation-mail.js';
import { enqueueMail } from '../../src/mail/outbox-store.js';
import { mailPlugin } from '../../src/mail/routes.js';
import { createMailTransport } from '../../src/mail/transports.js';
import { startMailWorker } from '../../src/mail/worker.js';
import { type MailTestDatabase, mailTestDialects, recordingLogger } from './support.js';

async function appWith(services: Services): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
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
    expect(html).toContain('<html lang="en">');
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
