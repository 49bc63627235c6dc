import { escapeHtml } from '../mail/templates/html.js';
import { html, type SafeHtml } from './html.js';
import { dictionaryOf, type PageLanguage } from './i18n/index.js';

export { escapeHtml };

export interface Branding {
  organizationName: string;
  logoUrl?: string | null;
}

/**
 * A logo Foyer serves itself (/{tenantId}/branding/logo, uploaded in the console) is shown from this origin,
 * whatever scheme the public address has; any other logo only over https.
 */
function logoSource(url: string | null | undefined): string | null {
  if (!url) return null;
  const own = /^https?:\/\/[^/]+(\/[0-9a-f-]{36}\/branding\/logo(?:\?v=[\w-]+)?)$/i.exec(url);
  if (own) return own[1]!;
  return /^https:\/\//i.test(url) ? url : null;
}

/**
 * The frame of every server-rendered page: a language, a title, a skip link, banner / main / contentinfo
 * landmarks, the tenant's branding, one external stylesheet, and no script unless the page names its own
 * files (never inline).
 */
export function renderPage(input: {
  title: string;
  body: SafeHtml;
  lang?: PageLanguage;
  branding?: Branding;
  wide?: boolean;
  /**
   * Progressive enhancement: external scripts Foyer serves (/assets/…), sent with `scriptPageHeaders`. The
   * page must work without them.
   */
  scripts?: string[];
  /** Without JavaScript, the page reloads itself every so many seconds (live progress); with it, the script. */
  refreshSeconds?: number;
}): string {
  const lang = input.lang ?? 'en-US';
  const t = dictionaryOf(lang);
  const logo = logoSource(input.branding?.logoUrl);
  const brand = input.branding?.organizationName ?? t.brand;
  const refresh = input.refreshSeconds
    ? html`<noscript><meta http-equiv="refresh" content="${String(input.refreshSeconds)}"></noscript>`
    : '';
  const scripts = (input.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`);
  return html`<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${input.title} · ${brand}</title>
<link rel="stylesheet" href="/assets/foyer.css">${refresh}${scripts}
</head>
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<header>${logo ? html`<img src="${logo}" alt="">` : ''}<span class="brand">${brand}</span></header>
<main id="main"${input.wide ? html` class="wide"` : ''}>
${input.body}
</main>
<footer><p>${t.poweredBy}</p></footer>
</body>
</html>
`.value;
}

/**
 * Headers for every HTML page: no framing, no inline script or style, nothing cached (pages may carry tickets)
 * and no Referer (a redeem URL must not leak to the sites a page links to). No `form-action`: a sign-in form's
 * answer redirects to the application, on another origin, and Chromium applies form-action to that redirect.
 */
export const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/**
 * The same headers for a page that loads Foyer's own scripts: `script-src 'self'` (files only, no inline code,
 * no nonce) and `connect-src 'self'` for what they fetch. Only pages that need a script get these.
 */
export const scriptPageHeaders = {
  ...pageHeaders,
  'content-security-policy': `${pageHeaders['content-security-policy']}; script-src 'self'; connect-src 'self'`,
} as const;
