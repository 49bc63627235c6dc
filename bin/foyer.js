#!/usr/bin/env node
// The `foyer` command (npx foyer …): the production build when dist/ matches the sources (`npm run build` and
// `npm start` keep it so; plain Node starts the command in a fraction of the time), else the TypeScript
// sources through tsx. It never builds itself: several commands may run at once.
import { distIsFresh } from '../scripts/fresh.mjs';

if (distIsFresh()) {
  // Stack traces name the TypeScript sources.
  process.setSourceMapsEnabled(true);
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
