import { REDIRECT_URI, signIn } from '../browser.js';
import { foyerEnv } from '../foyer-env.js';
import { benchSpa } from '../foyer-spa.js';
import { buildDist, cpuPerOp, cpuTime, type Figure, freePort, round, startServer } from '../lib.js';
import { drive, driveNote } from '../virtual-users.js';

const USERS = 8;
const WARMUP_SECONDS = 3;
const SECONDS = 15;

/**
 * Refresh-token chains: refresh tokens rotate on every use, so each virtual user refreshes sequentially with the
 * token the previous answer gave it. A failed refresh breaks that user's chain, so it stops (and is reported).
 */
async function refreshChains(tokenUrl: string, clientId: string, tokens: string[], pid: number | undefined) {
  const step = async (user: number) => {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens[user]!,
        client_id: clientId,
      }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`refresh: HTTP ${response.status} ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { refresh_token?: string; id_token?: string; access_token?: string };
    if (!body.refresh_token || body.refresh_token === tokens[user] || !body.id_token || !body.access_token) {
      throw new Error(
        `refresh: no rotated refresh token, ID token and access token in ${text.slice(0, 200)}`,
      );
    }
    tokens[user] = body.refresh_token;
  };
  const warmup = await drive(tokens.length, WARMUP_SECONDS, step, { stopOnError: true });
  const cpuBefore = cpuTime(pid);
  const result = await drive(tokens.length, SECONDS, step, { stopOnError: true });
  const cpu = cpuPerOp(cpuBefore, cpuTime(pid), result.completed, 'server');
  return { ...result, errors: result.errors + warmup.errors, cpu };
}

/** The same chains against a bare oidc-provider, its refresh tokens minted directly (no sign-in to measure). */
async function bareBaseline() {
  const port = await freePort();
  const bare = await startServer(
    'bench/servers/bare-oidc-refresh.ts',
    { BASE: `http://127.0.0.1:${port}` },
    { port, readyPath: '/.well-known/openid-configuration' },
  );
  try {
    const tokens = await Promise.all(
      Array.from({ length: USERS }, async () => {
        const response = await fetch(`${bare.url}/bench/mint`, { method: 'POST' });
        const body = (await response.json()) as { refresh_token?: string };
        if (!body.refresh_token) throw new Error(`bare mint: ${response.status} ${JSON.stringify(body)}`);
        return body.refresh_token;
      }),
    );
    return await refreshChains(`${bare.url}/token`, 'bench-spa', tokens, bare.process.pid);
  } finally {
    await bare.stop();
  }
}

/** Refresh-token grants/s on Foyer (each user signed in once first), against a bare oidc-provider in the same run. */
export async function refresh(): Promise<Figure[]> {
  const baseline = await bareBaseline();
  const port = await freePort();
  const { env, clientId } = foyerEnv('refresh', { FOYER_BASE_URL: `http://127.0.0.1:${port}` });
  buildDist();
  const foyer = await startServer('dist/main.js', env, { port, compiled: true });
  try {
    const { appId, adminEmail } = await benchSpa(foyer.url, clientId, REDIRECT_URI);
    const user = { clientId: appId, email: adminEmail, password: env.FOYER_BOOTSTRAP_ADMIN_PASSWORD };
    const tokens: string[] = [];
    // One at a time: the sign-ins are the set-up, not the measure.
    for (let i = 0; i < USERS; i++) {
      const { refreshToken } = await signIn(foyer.url, 'bench', user);
      if (!refreshToken) throw new Error('the code exchange gave no refresh token');
      tokens.push(refreshToken);
    }
    const result = await refreshChains(
      `${foyer.url}/bench/oauth2/v2.0/token`,
      appId,
      tokens,
      foyer.process.pid,
    );
    const ratio = result.rate / baseline.rate;
    return [
      {
        scenario: 'refresh',
        value: round(result.rate),
        unit: 'req/s',
        baseline: round(baseline.rate),
        ratio: round(ratio, 2),
        target: '>= 85% of a bare oidc-provider refresh (rotation, RS256 ID token)',
        met: ratio >= 0.85 && result.errors + baseline.errors === 0,
        note: driveNote(
          result,
          `${USERS} chains, Foyer ${result.cpu}; bare: p99 ${baseline.p99} ms, errors ${baseline.errors}, ${baseline.cpu}`,
        ),
      },
    ];
  } finally {
    await foyer.stop();
  }
}
