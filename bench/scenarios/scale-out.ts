import type autocannon from 'autocannon';
import { appToken, CLIENT_SECRET, foyerEnv, invitationRequest } from '../foyer-env.js';
import {
  buildDist,
  cpuTime,
  dbStats,
  type Figure,
  freePort,
  type LoadResult,
  load,
  loadAverage,
  round,
  type Server,
  startServer,
} from '../lib.js';
import { BenchDatabase, type PgCost, pgCost } from '../postgres.js';
import { seedUsers } from '../seed.js';

const SECONDS = 6;
const USERS = 100_000;
/** The tenant ceiling of the limit phase (per 5 s window) and the connections each instance gets there. */
const CEILING = 200;
const LIMIT_CONNECTIONS = 4;

/**
 * Two Foyer instances over one PostgreSQL database against one, in the same run: client-credentials and
 * invitations (16 connections in all, split over the instances), then what PostgreSQL spends per token, per
 * invitation and per list page, and the tenant-wide API ceiling under load on both instances at once.
 * Instance 1 is pinned to core 0, instance 2 to core 1; PostgreSQL and the load generator share both cores.
 * Needs PostgreSQL: BENCH_DATABASE_URL, else FOYER_TEST_DATABASE_URL.
 */
export async function scaleOut(): Promise<Figure[]> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.FOYER_TEST_DATABASE_URL;
  if (!serverUrl) {
    process.stderr.write('scale-out: needs PostgreSQL (BENCH_DATABASE_URL=postgres://…)\n');
    return [];
  }
  buildDist();
  let database: BenchDatabase;
  try {
    database = await BenchDatabase.create(serverUrl);
  } catch (error) {
    process.stderr.write(`scale-out: cannot create a database of its own on ${serverUrl}: ${error}\n`);
    return [];
  }
  try {
    return await run(database);
  } finally {
    await database.drop();
  }
}

async function run(database: BenchDatabase): Promise<Figure[]> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Throttling as good as off (the ceilings are never reached) but still counted, so the counters' statements
  // are in the per-request cost, as in production.
  const setup = foyerEnv('scale', {
    FOYER_DATABASE_URL: database.url,
    FOYER_BASE_URL: base,
    FOYER_API_RATE_LIMIT: '1000000',
    FOYER_INVITE_RATE_LIMIT: '0',
  });
  const start = (env: Record<string, string>, core: number, listen?: number) =>
    startServer('dist/main.js', env, { compiled: true, core, ...(listen ? { port: listen } : {}) });

  const one = await start(setup.env, 0, port);
  let two: Server | undefined;
  const figures: Figure[] = [];
  try {
    two = await start(setup.env, 1);
    const token = await appToken(one.url, setup.clientId);
    const tokenForm = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: setup.clientId,
      client_secret: CLIENT_SECRET,
      scope: `${base}/.default`,
    }).toString();
    const tokens = (url: string): autocannon.Options => ({
      url: `${url}/bench/oauth2/v2.0/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: tokenForm,
    });
    // One counter for both instances: every invitation of the run is to a new address.
    const inviting = invitationRequest(token, 'scale');
    const invitations = (url: string): autocannon.Options => ({ url, requests: [inviting.request] });
    const lists = (url: string): autocannon.Options => ({
      url,
      requests: [
        {
          method: 'GET',
          path: "/v1.0/users?$filter=userType%20eq%20'Guest'&$top=100",
          headers: { authorization: `Bearer ${token}` },
        },
      ],
    });

    const instances = [one, two];
    for (const [name, options] of [
      ['client-credentials', tokens],
      ['invite', invitations],
    ] as const) {
      const single = await measured(database, [one], (s) => load({ ...options(s.url), seconds: SECONDS }));
      const double = await measured(database, instances, (s) =>
        load({ ...options(s.url), connections: 8, seconds: SECONDS }),
      );
      figures.push(throughput(name, single, double));
      figures.push(perCore(name, single));
    }
    // The users are added after the invitations, which are measured on a new tenant as in `invite`: an
    // invitation looks the address up in the members' otherMails, a scan of the tenant's members.
    seedUsers(database.url, USERS);
    const list = await measured(database, [one], (s) =>
      load({ ...lists(s.url), connections: 8, seconds: SECONDS }),
    );
    figures.push(perCore('graph-list', list));
  } finally {
    await two?.stop();
    await one.stop();
  }
  figures.push(await ceiling(database, setup.env, setup.clientId, port));
  return figures;
}

interface Measured {
  instances: number;
  rps: number;
  requests: number;
  failed: number;
  p99: number;
  pg: PgCost;
  /** Statements counted by the instances' own drivers (foyer_db_statements_total), per request. */
  driverStatements: number;
  /** The instances' own CPU per request (all threads). */
  foyerCpuMs: number | undefined;
  load: string;
}

/** One load window on each instance at once, with what PostgreSQL and the drivers counted meanwhile. */
async function measured(
  database: BenchDatabase,
  servers: Server[],
  window: (server: Server) => Promise<LoadResult>,
): Promise<Measured> {
  const driverBefore = await Promise.all(servers.map((s) => dbStats(s.url)));
  const before = await database.reading();
  const cpuBefore = servers.map((s) => cpuTime(s.process.pid));
  const results = await Promise.all(servers.map(window));
  const cpuAfter = servers.map((s) => cpuTime(s.process.pid));
  const after = await database.reading();
  const driverAfter = await Promise.all(servers.map((s) => dbStats(s.url)));
  const requests = results.reduce((sum, r) => sum + r.total, 0);
  const statements = driverAfter.reduce((sum, s, i) => sum + s.count - driverBefore[i]!.count, 0);
  return {
    instances: servers.length,
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    requests,
    failed: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    p99: Math.max(...results.map((r) => r.p99)),
    pg: pgCost(before, after, requests),
    driverStatements: requests === 0 ? 0 : statements / requests,
    foyerCpuMs: cpuAfter.every((c, i) => c && cpuBefore[i])
      ? (cpuAfter.reduce((sum, c, i) => sum + c!.total - cpuBefore[i]!.total, 0) * 1000) / requests
      : undefined,
    load: loadAverage(),
  };
}

const costNote = (m: Measured) =>
  [
    m.pg.statements === undefined
      ? `${round(m.driverStatements, 1)} statements (driver count; no pg_stat_statements)`
      : `${round(m.pg.statements, 1)} statements (driver count ${round(m.driverStatements, 1)})`,
    m.pg.execMs === undefined ? '' : `PostgreSQL execution ${round(m.pg.execMs, 3)} ms`,
    m.pg.cpuMs === undefined ? '' : `PostgreSQL CPU ${round(m.pg.cpuMs, 3)} ms`,
  ]
    .filter(Boolean)
    .join(', ');

function throughput(name: string, single: Measured, double: Measured): Figure {
  const ratio = double.rps / single.rps;
  return {
    scenario: `scale-out ${name}`,
    value: round(double.rps),
    unit: 'req/s on 2 instances',
    baseline: round(single.rps),
    ratio: round(ratio, 2),
    target:
      'no error on 2 instances over one PostgreSQL (2 cores: instances, PostgreSQL and load share them)',
    met: single.failed === 0 && double.failed === 0,
    note: `1 instance: p99 ${single.p99} ms, ${single.failed} failed, ${single.load}; 2 instances: p99 ${double.p99} ms, ${double.failed} failed, ${costNote(double)} per request, ${double.load}`,
  };
}

/**
 * How many instances one PostgreSQL core serves, from per-request CPU, which a busy machine changes much less
 * than a rate: an instance running flat out on its core makes 1000 / foyerCpuMs requests a second, each
 * costing PostgreSQL pgCpuMs, so it keeps pgCpuMs / foyerCpuMs of a PostgreSQL core busy, and one PostgreSQL
 * core serves foyerCpuMs / pgCpuMs such instances. PostgreSQL's execution time (pg_stat_statements) stands in
 * where /proc does not show the server's processes.
 */
function perCore(name: string, m: Measured): Figure {
  const pgMs = m.pg.cpuMs ?? m.pg.execMs;
  const known = pgMs !== undefined && m.foyerCpuMs !== undefined;
  // No PostgreSQL work at all (tokens): PostgreSQL does not bound the instance count (printed as Infinity).
  const instances = known ? (pgMs! > 0 ? m.foyerCpuMs! / pgMs! : Number.POSITIVE_INFINITY) : 0;
  const ms = (value: number | undefined) => (value === undefined ? '?' : String(round(value, 3)));
  return {
    scenario: `scale-out ${name} per PostgreSQL core`,
    value: round(instances, 1),
    unit: 'instances',
    baseline: null,
    ratio: null,
    target: 'stated in the README from the per-request cost',
    met: m.failed === 0 && known,
    note: `${costNote(m)} per request; Foyer CPU ${ms(m.foyerCpuMs)} ms per request, so one PostgreSQL core serves ${ms(m.foyerCpuMs)} / ${ms(pgMs)} = ${round(instances, 1)} instances each running flat out on a core; measured at ${round(m.rps)} req/s on 1 instance, ${m.failed} failed; ${m.load}`,
  };
}

/**
 * The tenant-wide API ceiling with both instances under load at once: every 5-second window serves at least the
 * ceiling and at most the ceiling plus, per instance, its requests in flight and one (src/ratelimit/limiter.ts),
 * counted from the instances' shard rows; the rest are 429s.
 */
async function ceiling(
  database: BenchDatabase,
  env: Record<string, string>,
  clientId: string,
  port: number,
): Promise<Figure> {
  const limited = {
    ...env,
    FOYER_API_RATE_LIMIT: String(CEILING),
    FOYER_API_RATE_LIMIT_PER_CALLER: '1000000',
  };
  const one = await startServer('dist/main.js', limited, { compiled: true, core: 0, port });
  let two: Server | undefined;
  try {
    two = await startServer('dist/main.js', limited, { compiled: true, core: 1 });
    const token = await appToken(one.url, clientId);
    // The load starts with a fresh window: the scenario's earlier phases counted API calls in the same database,
    // and one that ended a moment ago would otherwise add its calls to the first window read here.
    const since = Math.ceil(Date.now() / 5000) * 5000;
    await new Promise((resolve) => setTimeout(resolve, since - Date.now()));
    const results = await Promise.all(
      [one, two].map((s) =>
        load({
          url: `${s.url}/v1.0/organization`,
          headers: { authorization: `Bearer ${token}` },
          connections: LIMIT_CONNECTIONS,
          seconds: 11,
          warmup: 0,
        }),
      ),
    );
    const windows = await database.query<{ window_start: string; served: string }>(
      `select window_start, sum(count) as served from rate_limit_shards where bucket like 'api:%' and window_start >= $1
       group by window_start order by window_start`,
      [since],
    );
    const served = windows.map((w) => Number(w.served));
    // The last window is partial (the load stops inside it); full ones reach the ceiling.
    const most = Math.max(...served);
    const bound = CEILING + 2 * (LIMIT_CONNECTIONS + 1);
    const refused = results.reduce((sum, r) => sum + r.non2xx, 0);
    const errors = results.reduce((sum, r) => sum + r.errors, 0);
    return {
      scenario: 'scale-out limit',
      value: most,
      unit: 'calls served in a 5 s window, 2 instances',
      baseline: CEILING,
      ratio: round(most / CEILING, 3),
      target: `the ceiling held across instances: <= ${bound} (ceiling + per instance its ${LIMIT_CONNECTIONS} in flight + 1)`,
      met: most >= CEILING && most <= bound && errors === 0 && refused > 0,
      note: `served per window ${served.join(', ')}; ${refused} answered 429; ${errors} errors; ${loadAverage()}`,
    };
  } finally {
    await two?.stop();
    await one.stop();
  }
}
