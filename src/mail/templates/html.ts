/** The few escaping helpers the mail templates and the dev mailbox pages share. */
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text → HTML text or attribute value (attributes are always double-quoted). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

// Controls other than tab and newline never belong in a body; CR is folded into newlines first.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const BODY_UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** User-supplied plain text for a text part: newlines normalised, controls removed. */
export function plainText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(BODY_UNSAFE, '');
}

/** User-supplied plain text for an HTML part: escaped, never interpreted, line breaks kept as <br>. */
export function multilineHtml(value: string): string {
  return plainText(value).split('\n').map(escapeHtml).join('<br>\n');
}

/** The URL, normalised, when it is absolute http(s); undefined otherwise (javascript:, data:, relative…). */
export function httpUrl(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
