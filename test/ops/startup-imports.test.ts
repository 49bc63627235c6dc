import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);

/** The packages a file of dist/ imports statically, following its relative imports (the bundle's chunks). */
function staticPackages(entry: string): string[] {
  const packages = new Set<string>();
  const files = [entry];
  const seen = new Set<string>();
  for (let file = files.pop(); file !== undefined; file = files.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(new URL(file, dist), 'utf8');
    // Static imports only (`import("x")` is a lazy load), at a statement's start: the build drops whitespace.
    for (const [, specifier] of text.matchAll(
      /(?:^|;)\s*import\s*(?:[^'"();]*?from\s*)?["']([^"']+)["']/gm,
    )) {
      if (specifier!.startsWith('./')) files.push(specifier!.slice(2));
      else if (!specifier!.startsWith('node:')) packages.add(specifier!);
    }
  }
  return [...packages].sort();
}

describe('the production build', () => {
  // Node resolves, reads and compiles an imported ESM package file by file before the first line of Foyer runs:
  // jose alone was ~30 ms of a ~420 ms start. Everything else (oidc-provider, jose, openid-client, argon2, the
  // CSV packages, otpauth, nodemailer, pg, qrcode) loads on first use (src/platform/lazy.ts).
  it('imports at start-up only what serving /readyz needs', () => {
    expect(staticPackages('main.js')).toEqual(['better-sqlite3', 'dotenv/config', 'pino']);
  });
});
