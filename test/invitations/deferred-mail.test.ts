import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailingApp } from '../helpers/build-test-app.js';
import { mailingTestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { htmlOf, invitation, linksOf, mailsTo, withBodies } from './support.js';

/**
 * POST /invitations queues the mail's template, not its rendered bodies; the worker renders just before it
 * sends (src/mail/templated.ts). What the mail shows is fixed at invitation time: a branding change made
 * while the mail waits does not reach it.
 */
describe.each(testDialects())('the invitation mail rendered by the worker, on %s', (dialect) => {
  let mailing: MailingApp;

  // The worker polls once a minute here: it sends only when the test drains it.
  beforeAll(async () => {
    mailing = await mailingTestApp(dialect);
  });
  afterAll(() => mailing.close());

  const outboxRow = (address: string) =>
    mailing.t.app.services.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_addresses', 'like', `%${address}%`)
      .executeTakeFirstOrThrow();

  it('is rendered by the worker with the branding of invitation time, then kept as its template with the live link redacted', async () => {
    const { t, admin, worker, catcher } = mailing;
    await worker.drain();
    const branding = (name: string, logo: string | null) =>
      t.app.services.db
        .updateTable('tenants')
        .set({ display_name: name, logo_url: logo })
        .where('id', '=', t.tenant.tenantId)
        .execute();
    const before = await t.app.services.db
      .selectFrom('tenants')
      .select(['display_name', 'logo_url'])
      .where('id', '=', t.tenant.tenantId)
      .executeTakeFirstOrThrow();
    await branding('Contoso Then', 'https://cdn.contoso.example/then.png');
    try {
      const response = await admin.post('/v1.0/invitations', {
        ...invitation('later@fabrikam.com'),
        sendInvitationMessage: true,
      });
      expect(response.statusCode, response.body).toBe(201);
      const redeemUrl: string = response.json().inviteRedeemUrl;

      // The request stored what to render, not the rendering.
      const queued = await outboxRow('later@fabrikam.com');
      expect(queued).toMatchObject({ status: 'pending', html_body: '', text_body: '' });
      expect(JSON.parse(queued.template ?? 'null')).toMatchObject({
        name: 'invitation',
        language: 'en-US',
        content: { organizationName: 'Contoso Then', redeemUrl },
      });

      await branding('Contoso Now', 'https://cdn.contoso.example/now.png');
      await worker.drain();

      const [mail] = mailsTo(catcher.messages, 'later@fabrikam.com');
      expect(mail, 'the mail was delivered').toBeDefined();
      if (!mail) return;
      expect(linksOf(mail).redeem).toBe(redeemUrl);
      expect(mail.parsed.text).toContain('Contoso Then');
      expect(mail.parsed.text).not.toContain('Contoso Now');
      expect(htmlOf(mail)).toContain('src="https://cdn.contoso.example/then.png"');
      expect(htmlOf(mail)).not.toContain('now.png');

      // Delivered: the row keeps its template without the live link, and reads as the mail it was.
      const sent = await outboxRow('later@fabrikam.com');
      expect(sent).toMatchObject({ status: 'sent', html_body: '', text_body: '' });
      expect(JSON.stringify(sent)).not.toContain(new URL(redeemUrl).searchParams.get('ticket'));
      const shown = withBodies(sent);
      expect(shown.text_body).toContain('Contoso Then');
      expect(shown.text_body).toContain('/redeem?ticket=[redacted]');
      expect(shown.text_body).not.toContain(redeemUrl);
    } finally {
      await branding(before.display_name, before.logo_url);
    }
  });
});
