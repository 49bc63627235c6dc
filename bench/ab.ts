/**
 * A/B of two builds in the same run: `npx tsx bench/ab.ts <cc|invite|refresh> <other dist/main.js> [rounds]` starts the
 * other build (e.g. an older commit's, built with `git archive <commit> | tar -x -C /tmp/base` and
 * `node scripts/build.mjs` there) and this tree's dist/ side by side, each pinned to its own core, and loads
 * them in alternating 6 s windows, so a busy neighbour hits both alike. Prints req/s per window and server CPU
 * per request (which noise changes far less than a rate; for `invite`, the CPU until the mail worker has delivered
 * every queued mail, which polling /metrics adds a little to). SWAP=1 swaps the cores, to rule out an unequal pair.
 */
import { spawn } from 'node:child_process';
import type autocannon from 'autocannon';
import { REDIRECT_URI, signIn } from './browser.js';
import { appToken, CLIENT_SECRET, foyerEnv } from './foyer-env.js';
import { benchSpa } from './foyer-spa.js';
import { buildDist, CpuMeter, freePort, load, waitFor } from './lib.js';
import { drive } from './virtual-users.js';

const [scenario = 'cc', other = '', roundsArg = '3'] = process.argv.slice(2);
if (!['cc', 'invite', 'refresh'].includes(scenario) || !other) {
  process.stderr.write('usage: npx tsx bench/ab.ts <cc|invite|refresh> <other dist/main.js> [rounds]\n');
  process.exit(2);
}
buildDist();
const builds = { other, this: 'dist/main.js' };

interface Running {
  url: string;
  clientId: string;
  /** `refresh`: each virtual user's refresh-token chain (the bench SPA's client id, the latest token). */
  chains?: { appId: string; tokens: string[] };
  stop(): void;
  cpu: CpuMeter;
  rps: number[];
  requests: number;
}

/** Refresh chains per server, as the refresh scenario runs. */
const CHAINS = 16;
const servers = new Map<string, Running>();
for (const [index, [name, script]] of Object.entries(builds).entries()) {
  const port = await freePort();
  const { env, clientId } = foyerEnv(`ab-${name}`, {
    FOYER_BASE_URL: `http://127.0.0.1:${port}`,
    FOYER_INVITE_RATE_LIMIT: '0',
  });
  const core = String((index + (process.env.SWAP ? 1 : 0)) % 2);
  const child = spawn('taskset', ['-c', core, process.execPath, script], {
    env: { ...process.env, ...env, PORT: String(port), FOYER_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`, 60_000);
  servers.set(name, {
    url,
    clientId,
    ...(scenario === 'refresh' && { chains: await signedInChains(url, clientId, env) }),
    stop: () => child.kill('SIGTERM'),
    cpu: new CpuMeter(child.pid),
    rps: [],
    requests: 0,
  });
}

/** As the refresh scenario: 16 users, each signed in once through the pages for its first refresh token. */
async function signedInChains(url: string, clientId: string, env: Record<string, string>) {
  const { appId, adminEmail } = await benchSpa(url, clientId, REDIRECT_URI);
  const user = { clientId: appId, email: adminEmail, password: env.FOYER_BOOTSTRAP_ADMIN_PASSWORD! };
  const tokens: string[] = [];
  for (let i = 0; i < CHAINS; i++) {
    const { refreshToken } = await signIn(url, 'bench', user);
    if (!refreshToken) throw new Error(`${url}: the code exchange gave no refresh token`);
    tokens.push(refreshToken);
  }
  return { appId, tokens };
}

/** A refresh window: every chain refreshes with its latest token, sequentially, for `seconds`. */
async function refreshWindow(server: Running, seconds: number) {
  const { appId, tokens } = server.chains!;
  const step = async (user: number) => {
    const response = await fetch(`${server.url}/bench/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens[user]!,
        client_id: appId,
      }),
    });
    const body = (await response.json()) as { refresh_token?: string };
    if (response.status !== 200 || !body.refresh_token) {
      throw new Error(`refresh: HTTP ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    }
    tokens[user] = body.refresh_token;
  };
  const result = await drive(CHAINS, seconds, step, { stopOnError: true });
  return { rps: result.rate, total: result.completed, errors: result.errors, non2xx: 0 };
}

/** Waits (up to 60 s) until foyer_outbox_depth reads 0: every queued mail delivered. */
async function outboxDrained(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const depth = /^foyer_outbox_depth (\S+)$/m.exec(text)?.[1];
    if (depth === undefined) {
      process.stderr.write(
        `${url}: no foyer_outbox_depth in /metrics; CPU counted without the worker's backlog\n`,
      );
      return;
    }
    if (Number(depth) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stderr.write(`${url}: the outbox still holds mail after 60 s\n`);
}

let counter = 0;
const refusals = new Set<string>();
async function window(server: Running): Promise<void> {
  if (scenario === 'refresh') {
    const result = await server.cpu.measure(() => refreshWindow(server, 6));
    server.rps.push(Math.round(result.rps));
    server.requests += result.total;
    if (result.errors > 0) throw new Error(`${server.url}: a refresh chain broke`);
    return;
  }
  let options: autocannon.Options;
  if (scenario === 'cc') {
    options = {
      url: `${server.url}/bench/oauth2/v2.0/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: server.clientId,
        client_secret: CLIENT_SECRET,
        scope: `${server.url}/.default`,
      }).toString(),
    };
  } else {
    const token = await appToken(server.url, server.clientId);
    options = {
      url: server.url,
      requests: [
        {
          method: 'POST',
          path: '/v1.0/invitations',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          // The first refusals are printed: a faster build that fails requests has not become faster.
          onResponse: (status: number, body: string) => {
            if (status >= 300 && refusals.size < 3) refusals.add(`${status} ${body.slice(0, 300)}`);
          },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({
              invitedUserEmailAddress: `guest${counter++}@partner${counter % 50}.example`,
              inviteRedirectUrl: 'https://apps.example/welcome',
              sendInvitationMessage: true,
            }),
          }),
        },
      ],
    };
  }
  // The invite window lasts until the server's mail worker has delivered what the load queued: a build that
  // leaves work to the worker (rendering, since migration 018) is charged for it, not only for the requests.
  const result = await server.cpu.measure(async () => {
    const loaded = await load({ ...options, seconds: 6, warmup: 1 });
    if (scenario === 'invite') await outboxDrained(server.url);
    return loaded;
  });
  server.rps.push(Math.round(result.rps));
  server.requests += result.total;
  if (result.errors + result.non2xx > 0) {
    process.stderr.write(`errors ${result.errors}, non-2xx ${result.non2xx}: ${[...refusals].join(' | ')}\n`);
  }
}

for (let round = 0; round < Number(roundsArg); round++) {
  for (const server of servers.values()) await window(server);
}
for (const [name, server] of servers) {
  process.stdout.write(
    `${scenario} ${name}: req/s ${server.rps.join(', ')}; ${server.cpu.perOp(server.requests, name)}\n`,
  );
  server.stop();
}
