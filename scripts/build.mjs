// Bundles Foyer's TypeScript into dist/ with esbuild, so `npm start`, production and the `foyer` command run
// plain Node: no TypeScript loader thread (on Node 20, tsx's hooks thread could leave a stopping process in
// Atomics.wait forever), and a faster start. Packages in node_modules stay external (native better-sqlite3,
// lazily loaded oidc-provider, pg and nodemailer). Type checking is `npm run typecheck`'s job, not the build's.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUILD_STAMP } from './fresh.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** The file's bytes, or undefined when there is none. */
function contentOf(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Puts esbuild's output in dist/ touching only what changed: a file whose bytes are the same stays as it is, a
 * changed one is replaced atomically (written beside, then renamed over), and files of an older build (chunk
 * names follow their content) are removed. Processes running from dist/ while it is rebuilt (a `foyer`
 * command, a server started by `npm start`) never find a file missing or half written, and rebuilding
 * unchanged sources changes nothing. The stamp says when dist/ last matched the sources (scripts/fresh.mjs).
 */
function writeOutputs(outputFiles) {
  const wanted = new Set();
  for (const file of outputFiles) {
    wanted.add(file.path);
    const existing = contentOf(file.path);
    if (existing?.equals(file.contents)) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  for (const entry of readdirSync(dist, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !wanted.has(path) && relative(dist, path) !== BUILD_STAMP)
      rmSync(path, { force: true });
  }
  writeFileSync(join(dist, BUILD_STAMP), `${new Date().toISOString()}\n`);
}

export async function buildFoyer() {
  const { outputFiles } = await build({
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
      // Fastify's default schema compilers (the zod ones replace them, so they and Ajv are never loaded), its
      // inject() (required on first use) and fast-json-stringify, of which a start loads only the small serializer
      // Fastify's error replies use: inside the bundle they were 700 KB that every start compiled. Direct
      // dependencies, so that npm puts them where dist/ finds them.
      '@fastify/ajv-compiler',
      '@fastify/fast-json-stringify-compiler',
      'fast-json-stringify',
      'light-my-request',
    ],
    // Bundled CommonJS packages call require() for Node's own modules; ESM output has none of its own.
    banner: {
      js: "import { createRequire as __foyerCreateRequire } from 'node:module'; const require = __foyerCreateRequire(import.meta.url);",
    },
    // Stack traces need the mappings only. With the sources' text inside, the map of the main chunk was 5.4 MB,
    // which `npm start` and `start:prod` (source maps on) parse at every start and keep: 28 MB of RSS against
    // 10 MB without it. Debuggers find the sources themselves at the paths the map names.
    sourcemap: true,
    sourcesContent: false,
    // V8 keeps a module's source text for as long as its functions live, one byte per character only when every
    // character is Latin-1. esbuild escapes the rest in string literals, but not in comments, and one arrow or dash
    // in a comment made the 2.8 MB bundle a 5.5 MB string. Without whitespace and comments the bundle is 1.9 MB,
    // Latin-1 (test/ops/bundle.test.ts), and the peak RSS under token load ~13 MB lower; the source maps still
    // give stack traces their lines. Tagged templates cannot be escaped: pages write such characters as HTML
    // entities (&mdash;).
    minifyWhitespace: true,
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(dist, { recursive: true });
  writeOutputs(outputFiles);
}

if (fileURLToPath(import.meta.url) === process.argv[1]) await buildFoyer();
