// `npm start`: build dist/ (a fraction of a second) and run it in this same process, so the signals npm
// forwards reach Foyer itself (a shell between them could die on SIGTERM and leave Foyer running).
import { buildFoyer } from './build.mjs';

// Stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true);
await buildFoyer();
await import('../dist/main.js');
