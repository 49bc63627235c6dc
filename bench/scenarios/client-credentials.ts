import { CLIENT_SECRET, foyerEnv } from '../foyer-env.js';
import {
  buildDist,
  CpuMeter,
  dbStats,
  type Figure,
  freePort,
  load,
  perRequest,
  round,
  startServer,
} from '../lib.js';

const form = (clientId: string, secret: string, base: string) =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope: `${base}/.default`,
  }).toString();

/** Token requests/s for RS256 JWT access tokens, against a bare oidc-provider measured in the same run. */
export async function clientCredentials(): Promise<Figure[]> {
  const basePort = await freePort();
  const bare = await startServer(
    'bench/servers/bare-oidc.ts',
    { BASE: `http://127.0.0.1:${basePort}` },
    { port: basePort, readyPath: '/.well-known/openid-configuration' },
  );
  let baseline: number;
  let bareCpu: CpuMeter;
  let bareTotal = 0;
  try {
    bareCpu = new CpuMeter(bare.process.pid);
    const bareResult = await bareCpu.measure(() =>
      load({
        url: `${bare.url}/token`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form('bench-client', 'bench-secret-bench-secret-bench-secret', bare.url),
      }),
    );
    baseline = bareResult.rps;
    bareTotal = bareResult.total;
  } finally {
    await bare.stop();
  }

  const port = await freePort();
  const { env, clientId } = foyerEnv('cc', { FOYER_BASE_URL: `http://127.0.0.1:${port}` });
  buildDist();
  const foyer = await startServer('dist/main.js', env, { port, compiled: true });
  try {
    const before = await dbStats(foyer.url);
    const foyerCpu = new CpuMeter(foyer.process.pid);
    const result = await foyerCpu.measure(() =>
      load({
        url: `${foyer.url}/bench/oauth2/v2.0/token`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(clientId, CLIENT_SECRET, foyer.url),
      }),
    );
    const cost = perRequest(before, await dbStats(foyer.url), result.total);
    const ratio = result.rps / baseline;
    return [
      {
        scenario: 'client-credentials',
        value: round(result.rps),
        unit: 'req/s',
        baseline: round(baseline),
        ratio: round(ratio, 2),
        target: '>= 85% of a bare oidc-provider in the same run',
        met: ratio >= 0.85 && result.errors + result.non2xx === 0,
        note: `p99 ${result.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}; ${cost}; ${foyerCpu.perOp(result.total, 'Foyer')}; ${bareCpu.perOp(bareTotal, 'bare')}`,
      },
    ];
  } finally {
    await foyer.stop();
  }
}
