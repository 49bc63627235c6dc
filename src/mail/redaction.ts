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

/** Every string in a JSON value with its secrets redacted. */
function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactDeep(inner)]));
  }
  return value;
}

/**
 * The content columns of a mail whose delivery is over (sent, or given up), for the UPDATE that records it. A
 * templated row (templated.ts) keeps its template, every string in it redacted, and readers render that: a
 * few hundred bytes rewritten instead of the rendered kilobytes, which were the largest write of an
 * invitation. A template that cannot be read any more, and a row without one, keep their bodies redacted.
 */
export function redactedContent(mail: { html: string; text: string; template: string | null }): {
  html_body: string;
  text_body: string;
  template: string | null;
} {
  if (mail.template !== null) {
    try {
      const template = JSON.stringify(redactDeep(JSON.parse(mail.template)));
      return { html_body: '', text_body: '', template };
    } catch {
      // An unreadable template: its (empty) bodies are all there is to keep.
    }
  }
  return { ...redactedBodies(mail), template: null };
}

/** The body columns of a mail whose delivery is over, for the UPDATE that records it. */
export function redactedBodies(mail: { html: string; text: string }): {
  html_body: string;
  text_body: string;
} {
  return { html_body: redactSecrets(mail.html), text_body: redactSecrets(mail.text) };
}
