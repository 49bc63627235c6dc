import { appToken, CLIENT_SECRET, dropDatabase, foyerEnv } from '../foyer-env.js';
import {
  buildDist,
  CpuMeter,
  dbStats,
  dialectOf,
  type Figure,
  freePort,
  load,
  loadAverage,
  perRequest,
  round,
  startServer,
} from '../lib.js';
import { seedUsers } from '../seed.js';

const USERS = 100_000;

async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/**
 * GET /v1.0/users?$filter=userType eq 'Guest'&$top=100 over 100,000 users (p99 under load, walking pages),
 * and the server's memory: idle after seeding, and under client-credentials load.
 */
export async function graphList(): Promise<Figure[]> {
  buildDist();
  const setup = foyerEnv('list');
  const first = await startServer('dist/main.js', setup.env, { compiled: true });
  await first.stop();
  seedUsers(setup.env.FOYER_DATABASE_URL, USERS);

  const port = await freePort();
  const server = await startServer(
    'dist/main.js',
    { ...setup.env, FOYER_BASE_URL: `http://127.0.0.1:${port}`, FOYER_API_RATE_LIMIT: '0' },
    { port, compiled: true },
  );
  try {
    const token = await appToken(server.url, setup.clientId);
    // Idle: started on the seeded database, one token issued, nothing else asked yet.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = await rssMb(server.process.pid!);
    const firstPage = (await (
      await fetch(`${server.url}/v1.0/users?$filter=userType eq 'Guest'&$top=100`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { '@odata.nextLink'?: string };
    // Half the load asks for the first page, half for a page deep in the collection.
    let deep = firstPage['@odata.nextLink'] ?? '';
    for (let i = 0; i < 50 && deep; i++) {
      const page = (await (await fetch(deep, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        '@odata.nextLink'?: string;
      };
      deep = page['@odata.nextLink'] ?? deep;
    }
    const headers = { authorization: `Bearer ${token}` };
    const before = await dbStats(server.url);
    const cpu = new CpuMeter(server.process.pid);
    const list = await cpu.measure(() =>
      load({
        url: server.url,
        connections: 8,
        requests: [
          { method: 'GET', path: "/v1.0/users?$filter=userType%20eq%20'Guest'&$top=100", headers },
          { method: 'GET', path: new URL(deep).pathname + new URL(deep).search, headers },
        ],
      }),
    );
    const cost = perRequest(before, await dbStats(server.url), list.total);
    const loadDuringList = loadAverage();
    const afterLists = await rssMb(server.process.pid!);
    const loadedRss: number[] = [];
    const sampler = setInterval(() => void rssMb(server.process.pid!).then((mb) => loadedRss.push(mb)), 500);
    await load({
      url: `${server.url}/bench/oauth2/v2.0/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: setup.clientId,
        client_secret: CLIENT_SECRET,
        scope: `${server.url}/.default`,
      }).toString(),
      warmup: 0,
    });
    clearInterval(sampler);
    const loaded = Math.max(...loadedRss);
    return [
      {
        scenario: 'graph-list',
        value: list.p99,
        unit: 'ms p99',
        baseline: null,
        ratio: null,
        target: '<= 50 ms p99 with 100,000 users',
        met: list.p99 <= 50 && list.non2xx === 0,
        note: `${dialectOf(setup.env.FOYER_DATABASE_URL)}; ${round(list.rps)} req/s at 8 connections, first and deep pages, non-2xx ${list.non2xx}; ${cost}; ${cpu.perOp(list.total, 'server')}; ${loadDuringList}`,
      },
      {
        scenario: 'memory',
        value: round(idle),
        unit: 'MB RSS idle',
        baseline: null,
        ratio: null,
        target: '<= 150 MB idle, <= 250 MB under client-credentials load',
        met: idle <= 150 && loaded <= 250,
        note: `${round(loaded)} MB peak under client-credentials load; ${round(afterLists)} MB after the list load; ${USERS} users`,
      },
    ];
  } finally {
    await server.stop();
    dropDatabase(setup.env.FOYER_DATABASE_URL);
  }
}
