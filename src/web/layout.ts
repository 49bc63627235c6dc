import { escapeHtml } from '../mail/templates/html.js';

export { escapeHtml };

/**
 * The frame of every server-rendered page: a language, a title, one landmark, readable without scripts.
 * `body` is trusted HTML built with escapeHtml on every interpolated value.
 */
export function layout(input: { title: string; body: string; lang?: string }): string {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(input.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(input.title)} · Foyer</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:36rem;padding:2rem 1.5rem;color:#111827;line-height:1.5}
h1{font-size:1.5rem}button{font:inherit;padding:.6rem 1.2rem;border-radius:.375rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d4ed8}button:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.note{color:#4b5563}
</style>
</head>
<body>
<main>
${input.body}
</main>
</body>
</html>
`;
}

/** Headers for every HTML page: no framing, no inline script, nothing cached (pages may carry tokens). */
export const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;
