import { appToken, foyerEnv, invitationRequest } from '../foyer-env.js';
import {
  buildDist,
  CpuMeter,
  dbStats,
  type Figure,
  freePort,
  load,
  outboxDrained,
  perRequest,
  round,
  startServer,
} from '../lib.js';

/** POST /v1.0/invitations with the mail queued (throttling off), against GET /healthz in the same run. */
export async function invite(): Promise<Figure[]> {
  const port = await freePort();
  const { env, clientId } = foyerEnv('invite', {
    FOYER_BASE_URL: `http://127.0.0.1:${port}`,
    FOYER_INVITE_RATE_LIMIT: '0',
  });
  buildDist();
  const foyer = await startServer('dist/main.js', env, { port, compiled: true });
  try {
    const baseline = (await load({ url: `${foyer.url}/healthz` })).rps;
    const token = await appToken(foyer.url, clientId);
    const inviting = invitationRequest(token, 'guest');
    const before = await dbStats(foyer.url);
    // The server's CPU per invitation, the delivery of its mail included (the worker may still be catching up
    // when the load ends): what a busy neighbour changes far less than the rate.
    const cpu = new CpuMeter(foyer.process.pid);
    const result = await cpu.measure(async () => {
      const loaded = await load({ url: foyer.url, requests: [inviting.request] });
      return { ...loaded, drained: await outboxDrained(foyer.url) };
    });
    const cost = perRequest(before, await dbStats(foyer.url), result.total);
    return [
      {
        scenario: 'invite',
        value: round(result.rps),
        unit: 'req/s',
        baseline: round(baseline),
        ratio: round(result.rps / baseline, 2),
        target: '>= 500 req/s on SQLite',
        met: result.rps >= 500 && result.errors + result.non2xx === 0,
        note: `p99 ${result.p99} ms, ${inviting.sent()} invitations, errors ${result.errors}, non-2xx ${result.non2xx}; every mail delivered ${round(result.drained, 1)} s after the last request; ${cost}; ${cpu.perOp(result.total, 'server')}`,
      },
    ];
  } finally {
    await foyer.stop();
  }
}
