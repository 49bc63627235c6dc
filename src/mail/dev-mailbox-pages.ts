import { displayAddress } from './headers.js';
import type { OutboxMail } from './outbox-store.js';
import { escapeHtml as e } from './templates/html.js';

/**
 * Server-rendered pages of the development mailbox: everything escaped, no scripts, headings and tables with
 * header cells, so they read well with a screen reader and work without JavaScript.
 */
function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(title)} · Foyer dev mailbox</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#111827;line-height:1.5}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #e5e7eb}
th{background:#f9fafb}caption{text-align:left;font-weight:600;padding:.4rem 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f9fafb;padding:1rem;border:1px solid #e5e7eb}
iframe{width:100%;height:56rem;border:1px solid #d1d5db}a{color:#1d4ed8}
.note{color:#4b5563}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

const addresses = (list: OutboxMail['to']) => list.map(displayAddress).join(', ');

export function mailboxListPage(mails: OutboxMail[], options: { base: string; limit: number }): string {
  const note = 'No SMTP server is configured: messages are delivered here instead of being sent.';
  const rows = mails
    .map(
      (mail) => `<tr>
<td><time datetime="${e(mail.createdAt)}">${e(mail.createdAt)}</time></td>
<td>${e(addresses(mail.to))}</td>
<td><a href="${e(`${options.base}/${encodeURIComponent(mail.id)}`)}">${e(mail.subject || '(no subject)')}</a></td>
<td>${e(mail.status)}</td>
<td>${mail.attempts}</td>
</tr>`,
    )
    .join('\n');
  const table =
    mails.length === 0
      ? '<p>The mailbox is empty.</p>'
      : `<table>
<caption>Messages, newest first (at most ${options.limit})</caption>
<thead><tr><th scope="col">Created</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Attempts</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return page(
    'Mailbox',
    `<h1>Dev mailbox</h1>\n<p class="note">${e(note)} Development mode only.</p>\n${table}`,
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
    .map(([name, value]) => `<tr><th scope="row">${e(name)}</th><td>${e(value)}</td></tr>`)
    .join('\n');
  const htmlUrl = `${options.base}/${encodeURIComponent(mail.id)}/html`;
  const body = `<p><a href="${e(options.base)}">← All messages</a></p>
<h1>${e(mail.subject || '(no subject)')}</h1>
<h2>Headers</h2>
<table>
<caption>Message headers and delivery state</caption>
<tbody>
${headerRows}
</tbody>
</table>
<h2>HTML part</h2>
<p class="note">Shown in a sandbox without scripts. <a href="${e(htmlUrl)}">Open the HTML part on its own</a>.</p>
<iframe title="HTML part of the message" sandbox="" src="${e(htmlUrl)}" loading="lazy"></iframe>
<h2>Text part</h2>
<pre>${linkify(mail.text)}</pre>`;
  return page(mail.subject || 'Message', body);
}

export function notFoundPage(options: { base: string }): string {
  return page(
    'Not found',
    `<h1>Message not found</h1>\n<p><a href="${e(options.base)}">Back to the mailbox</a></p>`,
  );
}

/** Escapes text and turns absolute http(s) URLs into links, so a developer can follow a redeem link. */
function linkify(text: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    const url = match[0];
    const index = match.index ?? 0;
    parts.push(e(text.slice(last, index)), `<a href="${e(url)}">${e(url)}</a>`);
    last = index + url.length;
  }
  parts.push(e(text.slice(last)));
  return parts.join('');
}
