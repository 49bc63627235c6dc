// Bundles Foyer's TypeScript into dist/ with esbuild, so `npm start` and production run plain Node: no
// TypeScript loader thread (on Node 20, tsx's hooks thread could leave a stopping process in Atomics.wait
// forever), and a faster start. Packages in node_modules stay external (native better-sqlite3, lazily loaded
// oidc-provider, pg and nodemailer). Type checking is `npm run typecheck`'s job, not the build's.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildFoyer() {
  // Chunk names change with the content: start from an empty folder so old ones do not pile up.
  rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { main: 'src/main.ts', cli: 'src/cli/index.ts' },
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The pure-JavaScript packages every start loads are bundled in: Node 20 resolves and reads each ESM file of
    // node_modules one by one (Kysely alone is hundreds), which was most of the time to /readyz. Kept external:
    // native addons, what loads lazily or only in some deployments, and pino (its transports run files of its
    // own in worker threads).
    external: [
      '@node-rs/argon2',
      'better-sqlite3',
      'esbuild',
      'tsx',
      'nodemailer',
      'oidc-provider',
      'openid-client',
      'jose',
      'pg',
      'pino',
      'qrcode',
      'csv-parse',
      'csv-stringify',
      'otpauth',
      'dotenv',
    ],
    // Bundled CommonJS packages call require() for Node's own modules; ESM output has none of its own.
    banner: {
      js: "import { createRequire as __foyerCreateRequire } from 'node:module'; const require = __foyerCreateRequire(import.meta.url);",
    },
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (fileURLToPath(import.meta.url) === process.argv[1]) await buildFoyer();
