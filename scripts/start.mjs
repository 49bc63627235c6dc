// `npm start`: build dist/ when src/ changed since the last build, and run it in this same process, so the
// signals npm forwards reach Foyer itself (a shell between them could die on SIGTERM and leave Foyer running).
import { distIsFresh } from './fresh.mjs';

// Bundling costs as much as starting: only when the sources changed since the last build.
if (!distIsFresh()) {
  const { buildFoyer } = await import('./build.mjs');
  await buildFoyer();
}
// Stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true);
await import('../dist/main.js');
