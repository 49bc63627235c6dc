import { html, type SafeHtml } from '../web/html.js';
import { renderPage } from '../web/layout.js';
import { displayAddress } from './headers.js';
import type { OutboxMail } from './outbox-store.js';

/**
 * Server-rendered pages of the development mailbox, on the page kit (src/web): everything escaped by the `html`
 * tag, no scripts, headings and tables with header cells, so they read well with a screen reader.
 */
const page = (title: string, body: SafeHtml): string =>
  renderPage({ title, body, wide: true, branding: { organizationName: 'Foyer dev mailbox' } });

const addresses = (list: OutboxMail['to']) => list.map(displayAddress).join(', ');

export function mailboxListPage(mails: OutboxMail[], options: { base: string; limit: number }): string {
  const note = 'No SMTP server is configured: messages are delivered here instead of being sent.';
  const rows = mails.map(
    (mail) => html`<tr>
<td><time datetime="${mail.createdAt}">${mail.createdAt}</time></td>
<td>${addresses(mail.to)}</td>
<td><a href="${`${options.base}/${encodeURIComponent(mail.id)}`}">${mail.subject || '(no subject)'}</a></td>
<td>${mail.status}</td>
<td>${mail.attempts}</td>
</tr>
`,
  );
  const table =
    mails.length === 0
      ? html`<p>The mailbox is empty.</p>`
      : html`<table>
<caption>Messages, newest first (at most ${options.limit})</caption>
<thead><tr><th scope="col">Created</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Attempts</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`;
  return page(
    'Mailbox',
    html`<h1>Dev mailbox</h1>
<p class="note">${note} Development mode only.</p>
${table}`,
  );
}

export function mailboxMessagePage(mail: OutboxMail, options: { base: string }): string {
  const headers: Array<[string, string | null]> = [
    ['From', displayAddress(mail.from)],
    ['To', addresses(mail.to)],
    ['Cc', mail.cc.length > 0 ? addresses(mail.cc) : null],
    ['Reply-To', mail.replyTo ? displayAddress(mail.replyTo) : null],
    ['Subject', mail.subject],
    ['Date', mail.createdAt],
    ['Message-ID', mail.messageId],
    ...Object.entries(mail.headers),
    ['Language', mail.language],
    ['Category', mail.category],
    ['Status', mail.status],
    ['Attempts', String(mail.attempts)],
    ['Delivered via', mail.deliveredVia],
    ['Sent at', mail.sentAt],
    ['Last error', mail.lastError],
  ];
  const headerRows = headers
    .filter((entry): entry is [string, string] => entry[1] !== null && entry[1] !== '')
    .map(
      ([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>
`,
    );
  const htmlUrl = `${options.base}/${encodeURIComponent(mail.id)}/html`;
  const body = html`<p><a href="${options.base}">&larr; All messages</a></p>
<h1>${mail.subject || '(no subject)'}</h1>
<h2>Headers</h2>
<table>
<caption>Message headers and delivery state</caption>
<tbody>
${headerRows}</tbody>
</table>
<h2>HTML part</h2>
<p class="note">Shown in a sandbox without scripts. <a href="${htmlUrl}">Open the HTML part on its own</a>.</p>
<iframe title="HTML part of the message" sandbox="" src="${htmlUrl}" loading="lazy"></iframe>
<h2>Text part</h2>
<pre>${linkify(mail.text)}</pre>`;
  return page(mail.subject || 'Message', body);
}

export function notFoundPage(options: { base: string }): string {
  return page(
    'Not found',
    html`<h1>Message not found</h1>\n<p><a href="${options.base}">Back to the mailbox</a></p>`,
  );
}

/** Escapes text and turns absolute http(s) URLs into links, so a developer can follow a redeem link. */
function linkify(text: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    const url = match[0];
    const index = match.index ?? 0;
    parts.push(html`${text.slice(last, index)}<a href="${url}">${url}</a>`);
    last = index + url.length;
  }
  parts.push(html`${text.slice(last)}`);
  return html`${parts}`;
}
