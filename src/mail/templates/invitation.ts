import { headerSafe } from '../headers.js';
import { fill, type MailDictionary } from './dictionary.js';
import { escapeHtml, httpUrl, multilineHtml, plainText } from './html.js';
import { dictionaryFor, type MailLanguage } from './languages.js';

/** Everything the invitation mail shows (PRODUCT §4.4). Plain text throughout: the renderer escapes. */
export interface InvitationMailInput {
  inviterName: string;
  organizationName: string;
  /** The inviting tenant's default domain, e.g. contoso.foyer.localhost. */
  organizationDomain: string;
  /** `{base}/redeem?ticket=…` */
  redeemUrl: string;
  /**
   * Where the guest blocks future invitations from this organisation. Null for the cc copy: the link is signed
   * for the invited address, so whoever holds it speaks for the invitee.
   */
  blockUrl: string | null;
  /** customizedMessageBody: shown as escaped plain text. Pass null for app-only senders (§4.4). */
  customMessage?: string | null;
  privacyStatementUrl?: string | null;
  logoUrl?: string | null;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
  language: MailLanguage;
}

export function renderInvitationMail(input: InvitationMailInput, language: MailLanguage): RenderedMail {
  return render(input, language, 'invitation');
}

/** The reminder: the same mail, "Reminder: …" in the subject and a reminder sentence in the body. */
export function renderReminderMail(input: InvitationMailInput, language: MailLanguage): RenderedMail {
  return render(input, language, 'reminder');
}

/** Up to two initials (first and last word), for the inviter's badge: "Ada Lovelace" → "AL". */
export function initialsOf(name: string): string {
  const firsts = name
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .map((word) => Array.from(word)[0])
    .filter((ch): ch is string => ch !== undefined);
  const first = firsts[0];
  if (first === undefined) return '?';
  const last = firsts.length > 1 ? firsts[firsts.length - 1] : '';
  return `${first}${last ?? ''}`.toLocaleUpperCase();
}

interface Prepared {
  t: MailDictionary;
  values: { inviter: string; organization: string };
  domain: string;
  initials: string;
  message: string | null;
  redeemUrl: string;
  blockUrl: string | null;
  privacyUrl: string | undefined;
  logoUrl: string | undefined;
  heading: string;
  intro: string;
}

/**
 * The Subject alone, without rendering the bodies: what a request stores when it leaves the bodies to the
 * mail worker (src/mail/templated.ts). The same string render() puts in the mail.
 */
export function invitationMailSubject(
  input: Pick<InvitationMailInput, 'inviterName' | 'organizationName'>,
  language: MailLanguage,
  kind: 'invitation' | 'reminder',
): string {
  const values = {
    inviter: headerSafe(input.inviterName, 200),
    organization: headerSafe(input.organizationName, 200),
  };
  return headerSafe(subjectOf(dictionaryFor(language), values, kind), 900);
}

function subjectOf(
  t: MailDictionary,
  values: { inviter: string; organization: string },
  kind: 'invitation' | 'reminder',
): string {
  const invitationSubject = fill(t.invitationSubject, values);
  return kind === 'reminder' ? fill(t.reminderSubject, { subject: invitationSubject }) : invitationSubject;
}

/** The mail's two links, parsed; a link that is not an absolute http(s) URL is refused (at queue time and render time). */
export function invitationLinks(input: Pick<InvitationMailInput, 'redeemUrl' | 'blockUrl'>) {
  const redeemUrl = httpUrl(input.redeemUrl);
  const blockUrl = input.blockUrl === null ? null : httpUrl(input.blockUrl);
  if (!redeemUrl || blockUrl === undefined) {
    throw new Error('The redeem and block URLs must be absolute http(s) URLs');
  }
  return { redeemUrl, blockUrl };
}

function render(
  input: InvitationMailInput,
  language: MailLanguage,
  kind: 'invitation' | 'reminder',
): RenderedMail {
  const t = dictionaryFor(language);
  const { redeemUrl, blockUrl } = invitationLinks(input);
  // Names are single-line everywhere: the inviter's also ends up in the Subject and From headers.
  const values = {
    inviter: headerSafe(input.inviterName, 200),
    organization: headerSafe(input.organizationName, 200),
  };
  const message = input.customMessage ? plainText(input.customMessage).trim() : '';
  const subject = subjectOf(t, values, kind);
  const prepared: Prepared = {
    t,
    values,
    domain: headerSafe(input.organizationDomain, 255),
    initials: initialsOf(values.inviter),
    message: message === '' ? null : message,
    redeemUrl,
    blockUrl,
    privacyUrl: httpUrl(input.privacyStatementUrl),
    logoUrl: httpUrl(input.logoUrl),
    heading: kind === 'reminder' ? t.reminderHeading : t.heading,
    intro: fill(kind === 'reminder' ? t.reminderIntro : t.intro, values),
  };
  return {
    subject: headerSafe(subject, 900),
    html: renderHtml(prepared, language, subject),
    text: renderText(prepared),
    language,
  };
}

function renderText(p: Prepared): string {
  const { t } = p;
  const lines = [
    p.heading,
    '',
    p.intro,
    '',
    `${t.invitedByLabel}: ${p.values.inviter} (${p.initials})`,
    `${t.organizationLabel}: ${p.values.organization}`,
    `${t.domainLabel}: ${p.domain}`,
  ];
  if (p.message) lines.push('', `${fill(t.messageLabel, p.values)}:`, p.message);
  lines.push(
    '',
    `${t.acceptButton}: ${p.redeemUrl}`,
    '',
    fill(t.trustWarning, p.values),
    '',
    `${t.privacyLabel}: ${p.privacyUrl ?? t.privacyNotProvided}`,
  );
  if (p.blockUrl) lines.push('', `${fill(t.blockLink, p.values)}: ${p.blockUrl}`);
  lines.push('', '--', fill(t.footer, p.values));
  return `${lines.join('\n')}\n`;
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
const TEXT = `${FONT}font-size:16px;line-height:24px;color:#1f2937;`;
const SMALL = `${FONT}font-size:13px;line-height:20px;color:#4b5563;`;
const LINK = 'color:#1d4ed8;text-decoration:underline;';

/** Table layout and inline styles: what mail clients render reliably. Layout tables are role=presentation. */
function renderHtml(p: Prepared, language: MailLanguage, subject: string): string {
  const { t } = p;
  const e = escapeHtml;
  const v = p.values;
  const row = (content: string, padding = '0 32px 16px') =>
    `<tr><td style="padding:${padding};">${content}</td></tr>`;
  const logo = p.logoUrl
    ? row(
        `<img src="${e(p.logoUrl)}" alt="${e(fill(t.logoAlt, v))}" height="40" style="display:block;height:40px;border:0;">`,
        '32px 32px 0',
      )
    : '';
  const badge = `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td aria-hidden="true" width="48" height="48" style="width:48px;height:48px;border-radius:24px;background:#1d4ed8;color:#ffffff;text-align:center;vertical-align:middle;${FONT}font-size:18px;font-weight:bold;">${e(p.initials)}</td>
<td style="padding-left:12px;${TEXT}"><span style="${SMALL}">${e(t.invitedByLabel)}</span><br><strong>${e(v.inviter)}</strong></td>
</tr></table>`;
  const organization = `<p style="margin:0;${TEXT}">${e(t.organizationLabel)}: <strong>${e(v.organization)}</strong><br>${e(t.domainLabel)}: ${e(p.domain)}</p>`;
  const message = p.message
    ? row(`<p style="margin:0 0 4px;${SMALL}">${e(fill(t.messageLabel, v))}</p>
<p style="margin:0;padding:12px 16px;border-left:4px solid #d1d5db;background:#f9fafb;${TEXT}">${multilineHtml(p.message)}</p>`)
    : '';
  const button = `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td style="border-radius:6px;background:#1d4ed8;"><a href="${e(p.redeemUrl)}" style="display:inline-block;padding:12px 24px;${FONT}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">${e(t.acceptButton)}</a></td>
</tr></table>
<p style="margin:12px 0 0;${SMALL}">${e(t.linkFallback)}<br><a href="${e(p.redeemUrl)}" style="${LINK}word-break:break-all;">${e(p.redeemUrl)}</a></p>`;
  const warning = `<p style="margin:0;padding:12px 16px;border-left:4px solid #b45309;background:#fffbeb;${TEXT}color:#78350f;"><strong aria-hidden="true">⚠</strong> ${e(fill(t.trustWarning, v))}</p>`;
  const privacy = `<p style="margin:0;${SMALL}">${e(t.privacyLabel)}: ${
    p.privacyUrl
      ? `<a href="${e(p.privacyUrl)}" style="${LINK}">${e(fill(t.privacyLink, v))}</a>`
      : e(t.privacyNotProvided)
  }</p>`;
  const block = p.blockUrl
    ? `<p style="margin:0 0 8px;${SMALL}"><a href="${e(p.blockUrl)}" style="${LINK}">${e(fill(t.blockLink, v))}</a></p>\n`
    : '';
  const footer = `${block}<p style="margin:0;${SMALL}">${e(fill(t.footer, v))}</p>`;

  return `<!DOCTYPE html>
<html lang="${language}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${e(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border-radius:8px;">
${logo}
${row(`<h1 style="margin:0;${FONT}font-size:24px;line-height:32px;color:#111827;">${e(p.heading)}</h1>`, '32px 32px 16px')}
${row(`<p style="margin:0;${TEXT}">${e(p.intro)}</p>`)}
${row(badge)}
${row(organization)}
${message}
${row(button, '8px 32px 24px')}
${row(warning)}
${row(privacy)}
${row(footer, '16px 32px 32px')}
</table>
</td></tr>
</table>
</body>
</html>
`;
}
