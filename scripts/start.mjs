// `npm start`: build dist/ when src/ changed since the last build, and run it in this same process, so the
// signals npm forwards reach Foyer itself (a shell between them could die on SIGTERM and leave Foyer running).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

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
    return statSync(join(root, 'dist/main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

// Bundling costs as much as starting; a bundle newer than every source (and the build script, and the
// dependency list) is the one the build would produce. Checking ~200 modification times takes milliseconds.
const sources = Math.max(
  newest(join(root, 'src')),
  statSync(join(root, 'scripts/build.mjs')).mtimeMs,
  statSync(join(root, 'package.json')).mtimeMs,
);
if (builtAt() <= sources) {
  const { buildFoyer } = await import('./build.mjs');
  await buildFoyer();
}
// Stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true);
await import('../dist/main.js');
