/**
 * Where a sign-in's server CPU goes, request by request: `npx tsx bench/sign-in-steps.ts [flows]` signs the same
 * user in `flows` times (default 100) one after the other, on Foyer's production build and on the bare
 * oidc-provider of the password-login scenario (bench/servers/bare-oidc-login.ts), and charges each HTTP request
 * the CPU the server's threads took while it was answered (/proc/<pid>/task/<tid>/schedstat, nanoseconds; Linux).
 * One flow at a time, so each request's CPU is its own; the password step includes its one argon2id verify.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import { bareSignIn, REDIRECT_URI, signIn, transport } from './browser.js';
import { foyerEnv } from './foyer-env.js';
import { benchSpa } from './foyer-spa.js';
import { buildDist, freePort, type Server, startServer } from './lib.js';

const flows = Number(process.argv[2] ?? 100);
const WARMUP_FLOWS = 30;

/** CPU nanoseconds all threads of a process have run so far. */
function cpuNanoseconds(pid: number): number {
  let total = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
}

/** A request's label: method and path, with ids, uids and tenant ids folded into `:id`. */
const label = (url: string, init: RequestInit) =>
  `${init.method ?? 'GET'} ${new URL(url).pathname.replace(/[A-Za-z0-9_-]{20,}/g, ':id')}`;

/** Signs in `flows` times after a warm-up, and prints the server CPU per flow of each request. */
async function measure(name: string, server: Server, once: () => Promise<unknown>) {
  const pid = server.process.pid!;
  for (let i = 0; i < WARMUP_FLOWS; i++) await once();
  const steps = new Map<string, number>();
  const send = transport.send;
  transport.send = async (url, init) => {
    const before = cpuNanoseconds(pid);
    const response = await send(url, init);
    // The body read whole and one turn of the loop, so the server has finished with the request.
    await response.clone().arrayBuffer();
    await turn();
    const key = label(url, init);
    steps.set(key, (steps.get(key) ?? 0) + cpuNanoseconds(pid) - before);
    return response;
  };
  const started = cpuNanoseconds(pid);
  try {
    for (let i = 0; i < flows; i++) await once();
  } finally {
    transport.send = send;
  }
  const ms = (nanoseconds: number) => (nanoseconds / flows / 1e6).toFixed(2).padStart(6);
  process.stdout.write(`${name}: ${ms(cpuNanoseconds(pid) - started)} ms of server CPU per sign-in\n`);
  for (const [key, nanoseconds] of steps) process.stdout.write(`  ${ms(nanoseconds)} ms  ${key}\n`);
}

buildDist();
{
  const port = await freePort();
  const { env, clientId } = foyerEnv('steps', { FOYER_BASE_URL: `http://127.0.0.1:${port}` });
  const foyer = await startServer('dist/main.js', env, { port, compiled: true });
  try {
    const { appId, adminEmail } = await benchSpa(foyer.url, clientId, REDIRECT_URI);
    const user = { clientId: appId, email: adminEmail, password: env.FOYER_BOOTSTRAP_ADMIN_PASSWORD };
    await measure('Foyer', foyer, () => signIn(foyer.url, 'bench', user));
  } finally {
    await foyer.stop();
  }
}
{
  const port = await freePort();
  const bare = await startServer(
    'bench/servers/bare-oidc-login.ts',
    { BASE: `http://127.0.0.1:${port}` },
    { port, readyPath: '/.well-known/openid-configuration' },
  );
  try {
    const user = { clientId: 'bench-spa', email: 'bench@example.com', password: 'bench-admin-password' };
    await measure('bare oidc-provider', bare, () => bareSignIn(bare.url, user));
  } finally {
    await bare.stop();
  }
}
