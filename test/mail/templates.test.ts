import { describe, expect, it } from 'vitest';
import { composeInvitationMail } from '../../src/mail/invitation-mail.js';
import {
  type InvitationMailInput,
  initialsOf,
  renderInvitationMail,
  renderReminderMail,
} from '../../src/mail/templates/invitation.js';
import {
  type MailLanguage,
  resolveMailLanguage,
  SHIPPED_MAIL_LANGUAGES,
} from '../../src/mail/templates/languages.js';

const input: InvitationMailInput = {
  inviterName: 'Ada Lovelace',
  organizationName: 'Contoso',
  organizationDomain: 'contoso.foyer.localhost',
  redeemUrl: 'https://foyer.test/redeem?ticket=abc&x=1',
  blockUrl: 'https://foyer.test/invitations/block?token=def',
  customMessage: null,
  privacyStatementUrl: null,
};

describe('invitation mail subject', () => {
  const subjects: Record<MailLanguage, string> = {
    'en-US': 'Ada Lovelace invited you to access applications within their organization',
    'fr-FR': 'Ada Lovelace vous a invité(e) à accéder à des applications de son organisation',
    'de-DE': 'Ada Lovelace hat Sie eingeladen, auf Anwendungen in der zugehörigen Organisation zuzugreifen',
    'es-ES': 'Ada Lovelace le ha invitado a acceder a aplicaciones de su organización',
  };
  it.each(SHIPPED_MAIL_LANGUAGES)('is localized in %s', (language) => {
    const mail = renderInvitationMail(input, language);
    expect(mail.subject).toBe(subjects[language]);
    expect(mail.html).toContain(`<html lang="${language}"`);
    expect(mail.language).toBe(language);
  });

  it('prefixes reminders', () => {
    expect(renderReminderMail(input, 'en-US').subject).toBe(`Reminder: ${subjects['en-US']}`);
    expect(renderReminderMail(input, 'fr-FR').subject).toBe(`Rappel : ${subjects['fr-FR']}`);
    expect(renderReminderMail(input, 'de-DE').subject).toMatch(/^Erinnerung: /);
    expect(renderReminderMail(input, 'es-ES').subject).toMatch(/^Recordatorio: /);
  });
});

describe('invitation mail body', () => {
  it('shows every element of PRODUCT §4.4 in both parts', () => {
    const mail = renderInvitationMail({ ...input, customMessage: 'Welcome aboard' }, 'en-US');
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('Contoso');
      expect(part).toContain('contoso.foyer.localhost');
      expect(part).toContain('Ada Lovelace');
      expect(part).toContain('AL');
      expect(part).toContain('Welcome aboard');
      expect(part).toContain('Accept invitation');
      expect(part).toContain('Only accept this invitation if you trust the sender');
      expect(part).toContain('Privacy statement: not provided');
      expect(part).toContain('Block future invitations from Contoso');
    }
    // Links: escaped in HTML attributes, as is in the text part.
    expect(mail.html).toContain('href="https://foyer.test/redeem?ticket=abc&amp;x=1"');
    expect(mail.html).toContain('href="https://foyer.test/invitations/block?token=def"');
    expect(mail.text).toContain('https://foyer.test/redeem?ticket=abc&x=1');
    expect(mail.text).toContain('https://foyer.test/invitations/block?token=def');
  });

  it('is accessible: presentation tables, a heading, alt text on the logo', () => {
    const mail = renderInvitationMail({ ...input, logoUrl: 'https://cdn.contoso.com/logo.png' }, 'fr-FR');
    const tables = mail.html.match(/<table[^>]*>/g) ?? [];
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) expect(table).toContain('role="presentation"');
    expect(mail.html).toMatch(/<h1[^>]*>Vous êtes invité\(e\)<\/h1>/);
    expect(mail.html).toContain('alt="Logo de Contoso"');
    expect(mail.html).toContain('<title>');
  });

  it('escapes the custom message and names, never interpreting them as HTML', () => {
    const mail = renderInvitationMail(
      {
        ...input,
        inviterName: '<b>Eve</b> & "Mallory"',
        organizationName: 'Fabrikam <img src=x onerror=alert(1)>',
        customMessage: '<script>alert("x")</script> Tom & Jerry',
      },
      'en-US',
    );
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<b>Eve');
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; Jerry');
    expect(mail.html).toContain('&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Mallory&quot;');
    expect(mail.html).toContain('Fabrikam &lt;img src=x onerror=alert(1)&gt;');
    // The text part is plain text: shown as written.
    expect(mail.text).toContain('<script>alert("x")</script> Tom & Jerry');
    expect(mail.subject).toBe(
      '<b>Eve</b> & "Mallory" invited you to access applications within their organization',
    );
  });

  it('preserves the newlines of the custom message', () => {
    const mail = renderInvitationMail(
      { ...input, customMessage: 'line one\nline two\r\n\r\nline four' },
      'en-US',
    );
    expect(mail.html).toContain('line one<br>\nline two<br>\n<br>\nline four');
    expect(mail.text).toContain('line one\nline two\n\nline four');
  });

  it('links the privacy statement when there is one, in every language', () => {
    const notProvided: Record<MailLanguage, string> = {
      'en-US': 'not provided',
      'fr-FR': 'non fournie',
      'de-DE': 'nicht angegeben',
      'es-ES': 'no proporcionada',
    };
    for (const language of SHIPPED_MAIL_LANGUAGES) {
      expect(renderInvitationMail(input, language).text).toContain(notProvided[language]);
      const mail = renderInvitationMail(
        { ...input, privacyStatementUrl: 'https://contoso.com/privacy' },
        language,
      );
      expect(mail.html).toContain('href="https://contoso.com/privacy"');
      expect(mail.text).toContain('https://contoso.com/privacy');
      expect(mail.text).not.toContain(notProvided[language]);
    }
  });

  it('refuses non-http links and treats a non-http privacy URL as not provided', () => {
    expect(() => renderInvitationMail({ ...input, redeemUrl: 'javascript:alert(1)' }, 'en-US')).toThrow();
    const mail = renderInvitationMail({ ...input, privacyStatementUrl: 'javascript:alert(1)' }, 'en-US');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).toContain('Privacy statement: not provided');
  });

  it('drops the message block when there is no message', () => {
    const mail = renderInvitationMail({ ...input, customMessage: '   ' }, 'en-US');
    expect(mail.text).not.toContain('Message from');
  });

  it('never lets a control character into the subject', () => {
    const mail = renderInvitationMail({ ...input, inviterName: 'Eve\r\nBcc: x@y' }, 'en-US');
    expect(mail.subject).toBe('Eve Bcc: x@y invited you to access applications within their organization');
  });
});

describe('initials', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['ada', 'A'],
    ['Jean-Luc Picard', 'JP'],
    ['Émilie du Châtelet', 'ÉC'],
    ['  grace   brewster murray hopper ', 'GH'],
    ['<script>', 'S'],
    ['', '?'],
    ['!!!', '?'],
  ])('%j → %s', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });
});

describe('resolveMailLanguage (PRODUCT §4.4 precedence)', () => {
  it.each([
    [{}, 'en-US'],
    [{ messageLanguage: 'fr-FR', guestPreferredLanguage: 'de-DE' }, 'fr-FR'],
    [{ messageLanguage: 'fr', guestPreferredLanguage: 'de-DE' }, 'fr-FR'],
    [{ messageLanguage: 'fr-CA' }, 'fr-FR'],
    [{ messageLanguage: 'DE-at' }, 'de-DE'],
    [{ messageLanguage: 'es_MX' }, 'es-ES'],
    [{ messageLanguage: 'en-GB', guestPreferredLanguage: 'fr-FR' }, 'en-US'],
    [{ messageLanguage: 'ja-JP', guestPreferredLanguage: 'de-DE' }, 'de-DE'],
    [{ messageLanguage: null, guestPreferredLanguage: 'xx', homeTenantLanguage: 'es-ES' }, 'es-ES'],
    [
      { guestPreferredLanguage: 'pt-BR', homeTenantLanguage: 'it-IT', invitingTenantLanguage: 'fr-BE' },
      'fr-FR',
    ],
    [{ messageLanguage: 'not a tag!', invitingTenantLanguage: 'de' }, 'de-DE'],
    [{ messageLanguage: 'zh-Hans', invitingTenantLanguage: 'ko-KR' }, 'en-US'],
    [{ messageLanguage: '', guestPreferredLanguage: '  ', homeTenantLanguage: 'fr-FR' }, 'fr-FR'],
  ])('%j → %s', (candidates, expected) => {
    expect(resolveMailLanguage(candidates)).toBe(expected);
  });
});

describe('composeInvitationMail', () => {
  it('sends as "{inviter} via Foyer", replies to the inviter, in the resolved language', () => {
    const mail = composeInvitationMail({
      tenantId: 't1',
      to: { address: 'guest@fabrikam.com', name: 'Guest' },
      cc: [{ address: 'boss@fabrikam.com' }],
      inviterMail: 'ada@contoso.com',
      content: input,
      languages: { messageLanguage: 'de', invitingTenantLanguage: 'fr-FR' },
      relatedId: 'inv-1',
    });
    expect(mail.fromName).toBe('Ada Lovelace via Foyer');
    expect(mail.replyTo).toEqual({ address: 'ada@contoso.com', name: 'Ada Lovelace' });
    expect(mail.language).toBe('de-DE');
    expect(mail.headers).toEqual({ 'Content-Language': 'de-DE' });
    expect(mail.category).toBe('invitation');
    expect(mail.cc).toEqual([{ address: 'boss@fabrikam.com' }]);
  });

  it('has no Reply-To for app-only senders, and strips CR/LF from the display name', () => {
    const mail = composeInvitationMail({
      tenantId: 't1',
      kind: 'reminder',
      to: { address: 'guest@fabrikam.com' },
      content: { ...input, inviterName: 'Eve\r\nBcc: x@y' },
      languages: {},
    });
    expect(mail.replyTo).toBeNull();
    expect(mail.fromName).toBe('Eve Bcc: x@y via Foyer');
    expect(mail.subject).toMatch(/^Reminder: Eve Bcc: x@y invited you/);
    expect(mail.category).toBe('invitation.reminder');
  });
});
