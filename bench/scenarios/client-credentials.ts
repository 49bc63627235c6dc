import { CLIENT_SECRET, foyerEnv } from '../foyer-env.js';
import {
  buildDist,
  CpuMeter,
  type Figure,
  freePort,
  type LoadResult,
  load,
  perRequest,
  ratioFigure,
  type Server,
  startServer,
  type TurnTaker,
  takeTurns,
} from '../lib.js';

// Foyer and the bare provider take turns (bench/lib.ts takeTurns): with one long run of each, the same build gave
// 0.67–0.84 in one afternoon.
const ROUNDS = 3;
const ROUND_SECONDS = 5;
const WARMUP_SECONDS = 2;

const form = (clientId: string, secret: string, base: string) =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope: `${base}/.default`,
  }).toString();

/** One server under token load, round after round. */
class TokenLoad implements TurnTaker {
  readonly rounds: LoadResult[] = [];
  readonly cpu: CpuMeter;

  constructor(
    readonly server: Server,
    private readonly url: string,
    private readonly body: string,
  ) {
    this.cpu = new CpuMeter(server.process.pid);
  }

  private run(seconds: number) {
    return load({
      url: this.url,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: this.body,
      seconds,
      warmup: 0,
    });
  }

  async warmUp() {
    await this.run(WARMUP_SECONDS);
  }

  async round() {
    this.rounds.push(await this.cpu.measure(() => this.run(ROUND_SECONDS)));
  }

  result() {
    const sum = (pick: (round: LoadResult) => number) => this.rounds.reduce((s, r) => s + pick(r), 0);
    const total = sum((r) => r.total);
    return {
      total,
      rate: total / (this.rounds.length * ROUND_SECONDS),
      p99: Math.max(...this.rounds.map((r) => r.p99)),
      failures: sum((r) => r.errors + r.non2xx),
    };
  }
}

async function bareLoad(): Promise<TokenLoad> {
  const port = await freePort();
  const bare = await startServer(
    'bench/servers/bare-oidc.ts',
    { BASE: `http://127.0.0.1:${port}` },
    { port, readyPath: '/.well-known/openid-configuration' },
  );
  return new TokenLoad(
    bare,
    `${bare.url}/token`,
    form('bench-client', 'bench-secret-bench-secret-bench-secret', bare.url),
  );
}

async function foyerLoad(): Promise<TokenLoad> {
  const port = await freePort();
  const { env, clientId } = foyerEnv('cc', { FOYER_BASE_URL: `http://127.0.0.1:${port}` });
  buildDist();
  const foyer = await startServer('dist/main.js', env, { port, compiled: true });
  return new TokenLoad(
    foyer,
    `${foyer.url}/bench/oauth2/v2.0/token`,
    form(clientId, CLIENT_SECRET, foyer.url),
  );
}

/** Token requests/s for RS256 JWT access tokens, against a bare oidc-provider measured in turns in the same run. */
export async function clientCredentials(): Promise<Figure[]> {
  const bare = await bareLoad();
  try {
    const foyer = await foyerLoad();
    try {
      const { before, after } = await takeTurns(bare, foyer, ROUNDS);
      const result = foyer.result();
      const baseline = bare.result();
      const cost = perRequest(before, after, result.total);
      return [
        ratioFigure({
          scenario: 'client-credentials',
          unit: 'req/s',
          rate: result.rate,
          baselineRate: baseline.rate,
          target: '>= 85% of a bare oidc-provider in the same run',
          failures: result.failures + baseline.failures,
          note: `${ROUNDS} turns of ${ROUND_SECONDS} s each; p99 ${result.p99} ms (bare ${baseline.p99}), failures ${result.failures} (bare ${baseline.failures}); ${cost}; ${foyer.cpu.perOp(result.total, 'Foyer')}; ${bare.cpu.perOp(baseline.total, 'bare')}`,
        }),
      ];
    } finally {
      await foyer.server.stop();
    }
  } finally {
    await bare.server.stop();
  }
}
