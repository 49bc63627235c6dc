import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.js';

/**
 * The production build (dist/, built by the global set-up) as V8 holds it: a module's source stays in memory as
 * long as its functions live, one byte per character only when every character is Latin-1 (scripts/build.mjs).
 */
describe('the production bundle', () => {
  it('is Latin-1 throughout, so V8 keeps its source at one byte per character', () => {
    const dist = join(ROOT, 'dist');
    const scripts = readdirSync(dist).filter((name) => name.endsWith('.js'));
    expect(scripts).toContain('main.js');
    for (const name of scripts) {
      const source = readFileSync(join(dist, name), 'utf8');
      const wide = /[\u0100-\u{10ffff}]/u.exec(source);
      const where = wide && `"${wide[0]}" in ${name}: …${source.slice(wide.index - 60, wide.index + 20)}…`;
      expect(where, 'write it as an escape or an HTML entity in the source').toBeNull();
    }
  });
});
