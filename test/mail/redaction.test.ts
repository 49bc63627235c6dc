import { describe, expect, it } from 'vitest';
import { redactedBodies, redactSecrets } from '../../src/mail/redaction.js';
import { renderInvitationMail } from '../../src/mail/templates/invitation.js';

const TICKET = 'Q3vX_9k-2mYtR8pLwZa0bC1dE4fG5hI6jK7lM8nO9pQ';
const SIG = 'c2lnbmF0dXJl_-0123456789abcdef';
const REDEEM = `https://foyer.test/redeem?ticket=${TICKET}`;
const BLOCK = `https://foyer.test/invitations/block?tenant=t-1&invitation=i-1&sig=${SIG}`;

describe('redactSecrets', () => {
  it('redacts the ticket of a redeem link in a text part, keeping the rest', () => {
    expect(redactSecrets(`Accept invitation: ${REDEEM}\nThanks`)).toBe(
      'Accept invitation: https://foyer.test/redeem?ticket=[redacted]\nThanks',
    );
  });

  it('redacts the signature of a block link, keeping the other parameters', () => {
    expect(redactSecrets(`Block: ${BLOCK}`)).toBe(
      'Block: https://foyer.test/invitations/block?tenant=t-1&invitation=i-1&sig=[redacted]',
    );
  });

  it('redacts inside HTML attributes and text, where & is escaped as &amp;', () => {
    const block = BLOCK.replaceAll('&', '&amp;');
    const html = `<a href="${REDEEM}">${REDEEM}</a> <a href='${block}'>block</a>`;
    expect(redactSecrets(html)).toBe(
      '<a href="https://foyer.test/redeem?ticket=[redacted]">https://foyer.test/redeem?ticket=[redacted]</a> ' +
        "<a href='https://foyer.test/invitations/block?tenant=t-1&amp;invitation=i-1&amp;sig=[redacted]'>block</a>",
    );
  });

  it('redacts a secret wherever it sits in the query, any case, and a token too', () => {
    expect(redactSecrets('https://x.test/r?a=1&TICKET=abc&b=2#frag')).toBe(
      'https://x.test/r?a=1&TICKET=[redacted]&b=2#frag',
    );
    expect(redactSecrets('https://x.test/b?token=def')).toBe('https://x.test/b?token=[redacted]');
    expect(redactSecrets('(https://x.test/r?ticket=abc+/=%2F)')).toBe('(https://x.test/r?ticket=[redacted]');
  });

  it('leaves what is not a secret query parameter alone', () => {
    const body = 'ticket=abc is not a URL; myticket=abc, ?signature=1&sig= and https://x.test/?q=ticket';
    expect(redactSecrets(body)).toBe(body);
    expect(redactSecrets('')).toBe('');
  });

  it('is idempotent', () => {
    const once = redactSecrets(`${REDEEM} ${BLOCK}`);
    expect(redactSecrets(once)).toBe(once);
  });

  it('leaves no ticket or signature in a rendered invitation mail', () => {
    const mail = renderInvitationMail(
      {
        inviterName: 'Ada Lovelace',
        organizationName: 'Contoso',
        organizationDomain: 'contoso.foyer.localhost',
        redeemUrl: REDEEM,
        blockUrl: BLOCK,
        customMessage: `Here is the link again: ${REDEEM}`,
        privacyStatementUrl: 'https://contoso.example/privacy?lang=en&v=2',
      },
      'en-US',
    );
    // The rendered mail does carry them, so the assertions below are not vacuous.
    expect(mail.text).toContain(TICKET);
    expect(mail.html).toContain(SIG);
    const { html_body, text_body } = redactedBodies(mail);
    for (const body of [html_body, text_body]) {
      expect(body).not.toContain(TICKET);
      expect(body).not.toContain(SIG);
      expect(body).toContain('redeem?ticket=[redacted]');
      expect(body).toContain('sig=[redacted]');
    }
    expect(text_body).toContain('https://contoso.example/privacy?lang=en&v=2');
    expect(html_body).toContain('Contoso');
  });
});
