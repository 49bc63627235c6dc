// Whether dist/ was built from the sources as they are now: `npm start` and the `foyer` command run the build
// when it is, and the TypeScript sources otherwise.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Written by scripts/build.mjs into dist/ after every build, whether or not any output changed. */
export const BUILD_STAMP = '.built';

/** The newest modification time under `dir` (recursively), 0 when it does not exist. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

function builtAt() {
  try {
    return statSync(join(root, 'dist', BUILD_STAMP)).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * A build newer than every source (and the build script, and the dependency list) is the one the build would
 * produce. Checking ~200 modification times takes milliseconds.
 */
export function distIsFresh() {
  const sources = Math.max(
    newest(join(root, 'src')),
    statSync(join(root, 'scripts/build.mjs')).mtimeMs,
    statSync(join(root, 'package.json')).mtimeMs,
  );
  return builtAt() > sources;
}
