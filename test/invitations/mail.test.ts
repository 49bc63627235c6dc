import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailTransport } from '../../src/mail/transports.js';
import { type MailWorker, startMailWorker } from '../../src/mail/worker.js';
import { provisionTenant } from '../../src/tenants/provision.js';
import {
  buildTestApp,
  type MailingApp,
  mailingTestApp,
  silentMailLogger,
  type TestApp,
} from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { delegatedToken } from '../helpers/delegated-token.js';
import {
  adminCaller,
  callerFor,
  callerWithPermissions,
  type GraphClient,
  graphClient,
} from '../helpers/graph.js';
import type { CaughtMail, SmtpCatcher } from '../helpers/smtp-catcher.js';
import { htmlOf, invitation, isLiveRedeemUrl, linksOf, mailsTo, outboxTo, rawHeadersOf } from './support.js';

const SENDER = 'invitations@foyer.test';

const subjects = {
  'en-US': 'Foyer automation invited you to access applications within their organization',
  'fr-FR': 'Foyer automation vous a invité(e) à accéder à des applications de son organisation',
  'de-DE': 'Foyer automation hat Sie eingeladen, auf Anwendungen in der zugehörigen Organisation zuzugreifen',
  'es-ES': 'Foyer automation le ha invitado a acceder a aplicaciones de su organización',
} as const;

describe.each(testDialects())('the invitation mail, through a real SMTP server, on %s', (dialect) => {
  const clock = movableClock();
  let mailing: MailingApp;
  let catcher: SmtpCatcher;
  let t: TestApp;
  let admin: GraphClient;
  let worker: MailWorker;

  beforeAll(async () => {
    mailing = await mailingTestApp(dialect, { clock, env: { FOYER_MAIL_FROM: SENDER }, pollMs: 50 });
    ({ catcher, t, admin, worker } = mailing);
  });
  afterAll(() => mailing.close());

  /** Invites with a mail, lets the worker deliver, and returns the API's answer and the one mail received. */
  async function inviteAndReceive(caller: GraphClient, body: ReturnType<typeof invitation>) {
    const response = await caller.post('/v1.0/invitations', { ...body, sendInvitationMessage: true });
    expect(response.statusCode, response.body).toBe(201);
    await worker.drain();
    const received = mailsTo(catcher.messages, body.invitedUserEmailAddress);
    expect(received).toHaveLength(1);
    return { created: response.json(), mail: received[0] as CaughtMail };
  }

  it('carries every element of §4.4, from "<inviter> via Foyer" at the instance sender, with the API’s redeem link', async () => {
    const { created, mail } = await inviteAndReceive(
      admin,
      invitation('ada@fabrikam.com', {
        invitedUserDisplayName: 'Ada Lovelace',
        invitedUserMessageInfo: { customizedMessageBody: 'Welcome aboard, Ada!' },
      }),
    );
    const { parsed } = mail;
    expect(parsed.subject).toBe(subjects['en-US']);
    expect(parsed.from?.value).toEqual([{ address: SENDER, name: 'Foyer automation via Foyer' }]);
    expect(mail.envelope).toEqual({ from: SENDER, to: ['ada@fabrikam.com'] });
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value).toEqual([
      { address: 'ada@fabrikam.com', name: 'Ada Lovelace' },
    ]);
    expect(parsed.headers.get('content-language')).toBe('en-US');
    expect(parsed.messageId).toMatch(/^<[0-9a-f-]+\.outbox@foyer\.test>$/);
    // An application sent it: nobody to reply to, and no custom message (PRODUCT §4.4).
    expect(parsed.replyTo).toBeUndefined();
    expect(parsed.text).not.toContain('Welcome aboard');
    expect(htmlOf(mail)).not.toContain('Welcome aboard');

    const links = linksOf(mail);
    expect(links.redeem).toBe(created.inviteRedeemUrl);
    expect(await isLiveRedeemUrl(t, created.id, links.redeem)).toBe(true);
    expect(links.block).toContain(`invitation=${created.id}`);

    const html = htmlOf(mail);
    expect(html).toContain('<html lang="en-US"');
    expect(html).toContain('<strong>Contoso</strong>');
    expect(html).toContain('Domain: contoso.foyer.localhost');
    expect(html).toContain('>FA</td>'); // the inviter's initials
    expect(html).toContain('<strong>Foyer automation</strong>');
    expect(html).toMatch(
      new RegExp(`<a href="${escapeRegExp(created.inviteRedeemUrl)}"[^>]*>Accept invitation</a>`),
    );
    expect(html).toContain('Only accept this invitation if you trust the sender.');
    expect(html).toContain('Privacy statement: not provided');
    expect(html).toMatch(
      /<a href="https:\/\/foyer\.test\/invitations\/block\?[^"]+"[^>]*>Block future invitations from Contoso<\/a>/,
    );
    expect(parsed.text).toContain(`Accept invitation: ${created.inviteRedeemUrl}`);
    expect(parsed.text).toContain('Organization: Contoso');
    expect(parsed.text).toContain('Privacy statement: not provided');
  });

  it.each([
    ['fr-FR', 'fr-FR'],
    ['de-DE', 'de-DE'],
    ['es-ES', 'es-ES'],
    ['en-US', 'en-US'],
    ['fr-CA', 'fr-FR'],
    ['DE', 'de-DE'],
  ] as const)('messageLanguage %s is sent in %s', async (requested, expected) => {
    const address = `lang-${requested.toLowerCase()}@fabrikam.com`;
    const { mail } = await inviteAndReceive(
      admin,
      invitation(address, { invitedUserMessageInfo: { messageLanguage: requested } }),
    );
    expect(mail.parsed.subject).toBe(subjects[expected]);
    expect(mail.parsed.headers.get('content-language')).toBe(expected);
    expect(htmlOf(mail)).toContain(`<html lang="${expected}"`);
  });

  it('writes the French mail in French throughout, links included', async () => {
    const { created, mail } = await inviteAndReceive(
      admin,
      invitation('amelie@fabrikam.com', { invitedUserMessageInfo: { messageLanguage: 'fr-FR' } }),
    );
    expect(mail.parsed.text).toContain(`Accepter l’invitation: ${created.inviteRedeemUrl}`);
    expect(mail.parsed.text).toContain('Déclaration de confidentialité: non fournie');
    expect(htmlOf(mail)).toContain('Bloquer les futures invitations de Contoso');
  });

  describe('language precedence: messageLanguage > guest > home tenant > inviting tenant > en-US', () => {
    let northwind: GraphClient;
    beforeAll(async () => {
      // A German-speaking inviting tenant and a Spanish-speaking home tenant on the same instance.
      const inviting = await provisionTenant(t.app.services, {
        displayName: 'Northwind',
        defaultLanguage: 'de-DE',
        adminPassword: 'correct horse battery staple',
      });
      await provisionTenant(t.app.services, {
        displayName: 'Tailspin',
        defaultLanguage: 'es-ES',
        adminPassword: 'correct horse battery staple',
      });
      northwind = await callerFor(t, inviting);
    });

    it('an unknown messageLanguage falls back to the inviting tenant’s language', async () => {
      const { mail } = await inviteAndReceive(
        northwind,
        invitation('kenji@fabrikam.com', { invitedUserMessageInfo: { messageLanguage: 'ja-JP' } }),
      );
      expect(mail.parsed.subject).toBe(
        'Foyer automation hat Sie eingeladen, auf Anwendungen in der zugehörigen Organisation zuzugreifen',
      );
      expect(mail.parsed.headers.get('content-language')).toBe('de-DE');
    });

    it('the home tenant’s language comes before the inviting tenant’s', async () => {
      const { mail } = await inviteAndReceive(northwind, invitation('rosa@tailspin.foyer.localhost'));
      expect(mail.parsed.subject).toBe(subjects['es-ES']);
    });

    it('the guest’s preferredLanguage comes before the tenants’, and messageLanguage before everything', async () => {
      const first = await northwind.post('/v1.0/invitations', invitation('pierre@tailspin.foyer.localhost'));
      const guestId = first.json().invitedUser.id;
      expect(
        (await northwind.patch(`/v1.0/users/${guestId}`, { preferredLanguage: 'fr-FR' })).statusCode,
      ).toBe(204);

      await northwind.post('/v1.0/invitations', {
        ...invitation('pierre@tailspin.foyer.localhost'),
        sendInvitationMessage: true,
      });
      // Delivered before the next re-invite, which would otherwise withdraw it (its ticket dies then).
      await worker.drain();
      await northwind.post('/v1.0/invitations', {
        ...invitation('pierre@tailspin.foyer.localhost'),
        sendInvitationMessage: true,
        invitedUserMessageInfo: { messageLanguage: 'en-US' },
      });
      await worker.drain();
      const received = mailsTo(catcher.messages, 'pierre@tailspin.foyer.localhost').map(
        (m) => m.parsed.subject,
      );
      expect(received).toHaveLength(2);
      expect(received).toContain(subjects['fr-FR']);
      expect(received).toContain(subjects['en-US']);
    });
  });

  it('delivers the cc copy as a mail of its own, without the invitee’s block link', async () => {
    const { created, mail } = await inviteAndReceive(
      admin,
      invitation('grace@fabrikam.com', {
        invitedUserMessageInfo: {
          ccRecipients: [{ emailAddress: { address: 'manager@fabrikam.com', name: 'Grace’s Manager' } }],
        },
      }),
    );
    // The invitee's mail goes to the invitee alone and carries the block link signed for the invitee.
    expect(mail.envelope.to).toEqual(['grace@fabrikam.com']);
    expect(linksOf(mail).block).toContain(`invitation=${created.id}`);
    const [copy, ...more] = mailsTo(catcher.messages, 'manager@fabrikam.com');
    expect(more).toEqual([]);
    expect(copy?.envelope.to).toEqual(['manager@fabrikam.com']);
    expect(copy?.parsed.to && !Array.isArray(copy.parsed.to) && copy.parsed.to.value).toEqual([
      { address: 'manager@fabrikam.com', name: 'Grace’s Manager' },
    ]);
    expect(copy?.parsed.subject).toBe(mail.parsed.subject);
    // Same invitation (the redeem link), but nothing that could block or unblock on the invitee's behalf.
    expect(copy?.parsed.text).toContain(created.inviteRedeemUrl);
    for (const part of [copy?.parsed.text ?? '', copy ? htmlOf(copy) : '']) {
      expect(part).not.toContain('/invitations/block');
      expect(part).not.toContain('sig=');
    }
  });

  it('header injection in names and message adds no header and no recipient; HTML in names is escaped', async () => {
    const mallory = await callerWithPermissions(
      t,
      admin,
      ['User.Invite.All'],
      'Mallory <img src=x onerror=alert(1)>\r\nBcc: spy1@evil.example',
    );
    const { mail } = await inviteAndReceive(
      mallory,
      invitation('victim@fabrikam.com', {
        invitedUserDisplayName: 'Victim\r\nBcc: spy2@evil.example',
        invitedUserMessageInfo: {
          customizedMessageBody: 'hi\r\nBcc: spy3@evil.example\r\n\r\n<script>alert(1)</script>',
          ccRecipients: [
            { emailAddress: { address: 'boss@fabrikam.com', name: 'Boss\r\nBcc: spy4@evil.example' } },
          ],
        },
      }),
    );
    // The SMTP envelope is who the server actually delivers to: the invited address, nobody else.
    expect(mail.envelope.to).toEqual(['victim@fabrikam.com']);
    expect(mailsTo(catcher.messages, 'boss@fabrikam.com').map((m) => m.envelope.to)).toEqual([
      ['boss@fabrikam.com'],
    ]);
    expect(mail.parsed.bcc).toBeUndefined();
    expect(rawHeadersOf(mail)).not.toMatch(/^bcc:/im);
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    for (const spy of ['spy1@evil.example', 'spy2@evil.example', 'spy3@evil.example', 'spy4@evil.example']) {
      expect(mailsTo(catcher.messages, spy)).toEqual([]);
    }
    // Names stay on one line, as text.
    expect(mail.parsed.from?.value[0]?.name).toBe(
      'Mallory <img src=x onerror=alert(1)> Bcc: spy1@evil.example via Foyer',
    );
    expect(mail.parsed.subject).toBe(
      'Mallory <img src=x onerror=alert(1)> Bcc: spy1@evil.example invited you to access applications within their organization',
    );
    expect(mail.parsed.to && !Array.isArray(mail.parsed.to) && mail.parsed.to.value).toEqual([
      { address: 'victim@fabrikam.com', name: 'Victim Bcc: spy2@evil.example' },
    ]);
    const html = htmlOf(mail);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('Mallory &lt;img src=x onerror=alert(1)&gt; Bcc: spy1@evil.example');
    expect(html).not.toContain('<script>');
  });

  it('a user inviter is the Reply-To, and their custom message is shown escaped in HTML and as-is in text', async () => {
    const member = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Bea Brown',
      mailNickname: 'bea',
      userPrincipalName: 'bea@contoso.foyer.localhost',
      mail: 'bea.brown@contoso.example',
      passwordProfile: { password: 'a-long-enough-password' },
    });
    expect(member.statusCode).toBe(201);
    // Bea invites through a client she signed in to (a delegated token, as interactive sign-in issues it).
    const bea = graphClient(
      t.app,
      await delegatedToken(t.app, { tenantId: t.tenant.tenantId, userId: member.json().id }),
    );
    const message = 'Hello <b>Linus</b> & "friends",\nsee you at <script>alert(1)</script> soon';
    const response = await bea.post('/v1.0/invitations', {
      ...invitation('linus@fabrikam.com'),
      sendInvitationMessage: true,
      invitedUserMessageInfo: { customizedMessageBody: message },
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json() as { inviteRedeemUrl: string };
    await worker.drain();
    const [mail] = mailsTo(catcher.messages, 'linus@fabrikam.com');
    if (!mail) throw new Error('no mail for linus@fabrikam.com');

    expect(mail.parsed.replyTo?.value).toEqual([{ address: 'bea.brown@contoso.example', name: 'Bea Brown' }]);
    expect(mail.parsed.from?.value).toEqual([{ address: SENDER, name: 'Bea Brown via Foyer' }]);
    expect(mail.envelope.from).toBe(SENDER);
    expect(mail.parsed.subject).toBe(
      'Bea Brown invited you to access applications within their organization',
    );
    expect(linksOf(mail).redeem).toBe(created.inviteRedeemUrl);

    const html = htmlOf(mail);
    expect(html).toContain('>BB</td>');
    expect(html).toContain('Message from Bea Brown');
    expect(html).toContain(
      'Hello &lt;b&gt;Linus&lt;/b&gt; &amp; &quot;friends&quot;,<br>\nsee you at &lt;script&gt;alert(1)&lt;/script&gt; soon',
    );
    expect(html).not.toContain('<b>Linus</b>');
    expect(html).not.toContain('<script>');
    expect(mail.parsed.text).toContain(message);
  });

  it('links the privacy statement, and drops a logo URL that is not http(s)', async () => {
    // There is no branding API yet: the console will write these two columns.
    const branding = (privacy: string | null, logo: string | null) =>
      t.app.services.db
        .updateTable('tenants')
        .set({ privacy_statement_url: privacy, logo_url: logo })
        .where('id', '=', t.tenant.tenantId)
        .execute();
    await branding('https://contoso.example/privacy?lang=en&v=2', 'javascript:alert(1)');
    try {
      const { mail } = await inviteAndReceive(admin, invitation('branded@fabrikam.com'));
      const html = htmlOf(mail);
      expect(html).toMatch(
        /<a href="https:\/\/contoso\.example\/privacy\?lang=en&amp;v=2"[^>]*>Privacy statement of Contoso<\/a>/,
      );
      expect(html).not.toContain('not provided');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('javascript:');
      expect(mail.parsed.text).toContain('Privacy statement: https://contoso.example/privacy?lang=en&v=2');
    } finally {
      await branding(null, null);
    }
  });

  it('sends nothing when sendInvitationMessage is false', async () => {
    const response = await admin.post('/v1.0/invitations', invitation('quiet@fabrikam.com'));
    expect(response.statusCode).toBe(201);
    await worker.drain();
    expect(await outboxTo(t, 'quiet@fabrikam.com')).toEqual([]);
    expect(mailsTo(catcher.messages, 'quiet@fabrikam.com')).toEqual([]);
  });

  describe('a refused request queues no mail', () => {
    const refusals: Array<[string, (memberId: string) => ReturnType<typeof invitation>, number, string]> = [
      ['an invalid address', () => invitation('no-mail-1@@fabrikam.com'), 400, 'Request_BadRequest'],
      [
        'a non-http redirect',
        () => invitation('no-mail-2@fabrikam.com', { inviteRedirectUrl: 'ftp://x.example' }),
        400,
        'Request_BadRequest',
      ],
      [
        'two cc recipients',
        () =>
          invitation('no-mail-3@fabrikam.com', {
            invitedUserMessageInfo: {
              ccRecipients: [
                { emailAddress: { address: 'cc1@fabrikam.com' } },
                { emailAddress: { address: 'cc2@fabrikam.com' } },
              ],
            },
          }),
        400,
        'Request_BadRequest',
      ],
      [
        'a 10,001-character message',
        () =>
          invitation('no-mail-4@fabrikam.com', {
            invitedUserMessageInfo: { customizedMessageBody: 'm'.repeat(10_001) },
          }),
        400,
        'Request_BadRequest',
      ],
      [
        'a malformed language',
        () =>
          invitation('no-mail-5@fabrikam.com', {
            invitedUserMessageInfo: { messageLanguage: 'fr_FR; DROP' },
          }),
        400,
        'Request_BadRequest',
      ],
      [
        'a reset on a member',
        (memberId) =>
          invitation('no-mail-6@fabrikam.com', { resetRedemption: true, invitedUser: { id: memberId } }),
        400,
        'Request_InvitedUserIsMember',
      ],
      [
        'a reset on an unknown id',
        () =>
          invitation('no-mail-7@fabrikam.com', {
            resetRedemption: true,
            invitedUser: { id: '00000000-0000-4000-8000-000000000000' },
          }),
        404,
        'Request_ResourceNotFound',
      ],
    ];
    it.each(refusals)('%s', async (_name, body, status, code) => {
      const memberId = (await admin.get("/v1.0/users?$filter=userType eq 'Member'&$top=1")).json().value[0]
        .id;
      const request = { ...body(memberId), sendInvitationMessage: true };
      const mailsBefore = catcher.messages.length;
      const response = await admin.post('/v1.0/invitations', request);
      expect(response.statusCode).toBe(status);
      expect(response.json().error.code).toBe(code);
      await worker.drain();
      expect(catcher.messages).toHaveLength(mailsBefore);
      expect(await outboxTo(t, request.invitedUserEmailAddress)).toEqual([]);
    });
  });

  it('keeps mail queued while SMTP is down and delivers each exactly once when it is back', async () => {
    const addresses = ['down1@fabrikam.com', 'down2@fabrikam.com', 'down3@fabrikam.com'];
    catcher.down();
    try {
      for (const address of addresses) {
        const response = await admin.post('/v1.0/invitations', {
          ...invitation(address),
          sendInvitationMessage: true,
        });
        expect(response.statusCode).toBe(201);
      }
      await worker.drain();
      for (const address of addresses) {
        expect(mailsTo(catcher.messages, address)).toEqual([]);
        const [row] = await outboxTo(t, address);
        expect(row).toMatchObject({ status: 'pending', attempts: 1 });
        expect(row?.last_error).toBeTruthy();
      }
      expect(catcher.refused.connections + catcher.refused.messages).toBeGreaterThan(0);
    } finally {
      catcher.up();
    }
    // The retry waits for its backoff (≥ 5 s), then each mail goes out once, with its original Message-ID.
    clock.advance(60_000);
    try {
      await worker.drain();
      await worker.drain();
    } finally {
      clock.reset();
    }
    for (const address of addresses) {
      const received = mailsTo(catcher.messages, address);
      expect(received).toHaveLength(1);
      const [row] = await outboxTo(t, address);
      expect(row?.status).toBe('sent');
      expect(received[0]?.parsed.messageId).toBe(row?.message_id);
    }
  });
});

describe.each(testDialects())('the invitation mail without SMTP, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(() => t.close());

  it('lands in the development mailbox, with a working redeem link', async () => {
    const admin = await adminCaller(t);
    const created = (
      await admin.post('/v1.0/invitations', {
        ...invitation('dev@fabrikam.com'),
        sendInvitationMessage: true,
      })
    ).json();
    const transport = createMailTransport(t.app.services.config);
    expect(transport.name).toBe('dev-mailbox');
    const worker = startMailWorker(t.app.services, transport, { pollMs: 60_000, logger: silentMailLogger });
    try {
      await worker.drain();
    } finally {
      await worker.stop();
    }
    const [row] = await outboxTo(t, 'dev@fabrikam.com');
    expect(row).toMatchObject({ status: 'sent', delivered_via: 'dev-mailbox' });

    const list = await t.app.inject({ method: 'GET', url: '/dev/mailbox' });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(subjects['en-US']);
    const message = await t.app.inject({ method: 'GET', url: `/dev/mailbox/${row?.id}` });
    expect(message.statusCode).toBe(200);
    expect(message.body).toContain(`<a href="${created.inviteRedeemUrl}">`);
    expect(await isLiveRedeemUrl(t, created.id, created.inviteRedeemUrl)).toBe(true);
  });
});

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
