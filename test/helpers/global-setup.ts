import { execFileSync } from 'node:child_process';
import { ROOT } from './process.js';

/**
 * Builds dist/ once before any test file runs. The `foyer` command and `npm start` run the build when it matches
 * the sources, so the tests run what operators run, start commands in a fraction of the time tsx takes, and no
 * two test files build at once. Unchanged sources rebuild to the same bytes, and nothing in dist/ is rewritten.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
