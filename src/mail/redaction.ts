/**
 * Secrets that mails carry in links: the redeem ticket (`/redeem?ticket=…`, PRODUCT §4.2: stored hashed
 * only), the block link's signature (`/invitations/block?…&sig=…`) and any `token`. The outbox keeps a mail's
 * bodies only until it is delivered or given up; after that its row is a record, and a record must not hold
 * a link that still works.
 */
export const SECRET_QUERY_PARAMETERS = ['ticket', 'sig', 'token'] as const;

export const REDACTED = '[redacted]';

/**
 * The transport whose delivery is the stored row itself (the development mailbox): its mails keep their
 * bodies, so a developer can follow the link.
 */
export const DEV_MAILBOX_TRANSPORT = 'dev-mailbox';

// A secret parameter after `?`, `&` or `&amp;` (HTML parts escape `&`; `;` also covers `;`-separated
// queries). The value runs to the next character that cannot belong to it in a text or HTML body: generous
// on purpose, since redacting a trailing `)` or `.` with it costs nothing and stopping early would leak.
const SECRET_VALUE = new RegExp(`([?&;](?:${SECRET_QUERY_PARAMETERS.join('|')})=)[^\\s&"'<>#]+`, 'gi');

/** The body with the value of every secret query parameter replaced by `[redacted]`. Idempotent. */
export function redactSecrets(body: string): string {
  return body.replace(SECRET_VALUE, `$1${REDACTED}`);
}

/** The body columns of a mail whose delivery is over, for the UPDATE that records it. */
export function redactedBodies(mail: { html: string; text: string }): {
  html_body: string;
  text_body: string;
} {
  return { html_body: redactSecrets(mail.html), text_body: redactSecrets(mail.text) };
}
