import { REDIRECT_URI, signIn } from '../browser.js';
import { foyerEnv } from '../foyer-env.js';
import { benchSpa } from '../foyer-spa.js';
import {
  buildDist,
  CpuMeter,
  type Figure,
  freePort,
  perRequest,
  ratioFigure,
  round,
  type Server,
  startServer,
  type TurnTaker,
  takeTurns,
} from '../lib.js';
import { combine, type DriveResult, drive, driveNote, p99 } from '../virtual-users.js';

// 16 chains, as BENCH.md's other scenarios use 16 connections; with 8 neither server used its whole core.
const USERS = 16;
const WARMUP_SECONDS = 2;
// Foyer and the bare provider take turns in short windows (both servers up, the one not loaded idle), so a
// neighbour's load on the shared core weighs on both alike: 3 × 5 s each.
const ROUNDS = 3;
const ROUND_SECONDS = 5;

/**
 * Refresh-token chains on one server: refresh tokens rotate on every use, so each virtual user refreshes
 * sequentially with the token the previous answer gave it. A failed refresh breaks that user's chain, so it stops
 * (and is reported).
 */
class Chains implements TurnTaker {
  readonly rounds: DriveResult[] = [];
  readonly cpu: CpuMeter;
  /** Users whose chain broke on an error: their last token is spent or refused, so they sit out the rest. */
  private readonly broken = new Set<number>();
  errors = 0;

  constructor(
    readonly server: Server,
    private readonly tokenUrl: string,
    private readonly clientId: string,
    private readonly tokens: string[],
  ) {
    this.cpu = new CpuMeter(server.process.pid);
  }

  private readonly step = async (user: number) => {
    try {
      await this.refreshOnce(user);
    } catch (error) {
      this.broken.add(user);
      throw error;
    }
  };

  private async refreshOnce(user: number) {
    const response = await fetch(this.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: this.tokens[user]!,
        client_id: this.clientId,
      }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`refresh: HTTP ${response.status} ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { refresh_token?: string; id_token?: string; access_token?: string };
    if (
      !body.refresh_token ||
      body.refresh_token === this.tokens[user] ||
      !body.id_token ||
      !body.access_token
    ) {
      throw new Error(
        `refresh: no rotated refresh token, ID token and access token in ${text.slice(0, 200)}`,
      );
    }
    this.tokens[user] = body.refresh_token;
  }

  /** Drives the users whose chain is intact, each on its own chain. */
  private driveLive(seconds: number) {
    const live = this.tokens.map((_, user) => user).filter((user) => !this.broken.has(user));
    return drive(live.length, seconds, (k) => this.step(live[k]!), { stopOnError: true });
  }

  async warmUp() {
    this.errors += (await this.driveLive(WARMUP_SECONDS)).errors;
  }

  async round() {
    this.rounds.push(await this.cpu.measure(() => this.driveLive(ROUND_SECONDS)));
  }

  result() {
    const all = combine(this.rounds);
    return { ...all, errors: all.errors + this.errors, cpu: this.cpu.perOp(all.completed, 'server') };
  }

  stop() {
    return this.server.stop();
  }
}

/** A bare oidc-provider, its refresh tokens minted directly through its models (no sign-in before them). */
async function bareChains(): Promise<Chains> {
  const port = await freePort();
  const bare = await startServer(
    'bench/servers/bare-oidc-refresh.ts',
    { BASE: `http://127.0.0.1:${port}` },
    { port, readyPath: '/.well-known/openid-configuration' },
  );
  const tokens = await Promise.all(
    Array.from({ length: USERS }, async () => {
      const response = await fetch(`${bare.url}/bench/mint`, { method: 'POST' });
      const body = (await response.json()) as { refresh_token?: string };
      if (!body.refresh_token) throw new Error(`bare mint: ${response.status} ${JSON.stringify(body)}`);
      return body.refresh_token;
    }),
  );
  return new Chains(bare, `${bare.url}/token`, 'bench-spa', tokens);
}

/** Foyer, each user signed in once through the pages for its first refresh token. */
async function foyerChains(): Promise<Chains> {
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
    return new Chains(foyer, `${foyer.url}/bench/oauth2/v2.0/token`, appId, tokens);
  } catch (error) {
    await foyer.stop();
    throw error;
  }
}

/**
 * Foyer's CPU per refresh less its time in the database, beside the bare provider's CPU: the bare provider keeps
 * its tokens in memory, Foyer commits three writes per refresh, and this says how much of the gap that is. The
 * database time is wall time (it can include moments the core ran another thread), so this reads low if anything.
 */
function besideDatabase(
  foyer: Chains,
  bare: Chains,
  db: { before: { seconds: number }; after: { seconds: number } },
  refreshes: number,
  bareRefreshes: number,
): string {
  const foyerMs = foyer.cpu.msPerOp(refreshes);
  const bareMs = bare.cpu.msPerOp(bareRefreshes);
  if (foyerMs === undefined || bareMs === undefined) return '';
  const dbMs = ((db.after.seconds - db.before.seconds) * 1000) / refreshes;
  return `, so its CPU beside the database ${round(foyerMs - dbMs, 2)} ms/op against the bare provider's ${round(bareMs, 2)} (tokens in memory)`;
}

/** Refresh-token grants/s on Foyer against a bare oidc-provider, in turns within the same run. */
export async function refresh(): Promise<Figure[]> {
  const bare = await bareChains();
  try {
    const foyer = await foyerChains();
    try {
      const { before, after } = await takeTurns(bare, foyer, ROUNDS);
      const result = foyer.result();
      const cost = perRequest(before, after, result.completed);
      const baseline = bare.result();
      const beside = besideDatabase(foyer, bare, { before, after }, result.completed, baseline.completed);
      return [
        ratioFigure({
          scenario: 'refresh',
          unit: 'req/s',
          rate: result.rate,
          baselineRate: baseline.rate,
          target: '>= 85% of a bare oidc-provider refresh (rotation, RS256 ID token)',
          failures: result.errors + baseline.errors,
          note: driveNote(
            result,
            `${USERS} chains, Foyer ${result.cpu}, ${cost}${beside}; bare: p99 ${p99(baseline)} ms, errors ${baseline.errors}, ${baseline.cpu}`,
          ),
        }),
      ];
    } finally {
      await foyer.stop();
    }
  } finally {
    await bare.stop();
  }
}
