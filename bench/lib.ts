import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface Figure {
  scenario: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: string;
  met: boolean;
  note?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const made: string[] = [];
process.on('exit', () => {
  if (process.env.BENCH_KEEP === '1') return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A directory for one server's data, removed when the bench exits (BENCH_KEEP=1 keeps them, to inspect a
 * database afterwards): an invite run alone leaves ~140 MB of SQLite behind.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `foyer-bench-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Pins a process to one core where taskset exists, so "per core" figures mean one core. */
export function pinned(command: string, args: string[], core: number): [string, string[]] {
  return process.platform === 'linux' ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

export interface Server {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The core servers are pinned to unless a scenario says otherwise: 0, or BENCH_CORE. On a machine shared with
 * other benches that all pin to core 0, BENCH_CORE=1 measures on the other core instead of a third of one.
 */
const DEFAULT_CORE = Number(process.env.BENCH_CORE ?? 0);

/**
 * The young generation's size that `npm run start:prod` gives Foyer (package.json), so a compiled Foyer here runs
 * with production's memory settings on any Node (on Node 20 and 22 it is their own default). Source maps stay off.
 */
const PRODUCTION_HEAP_FLAGS: string[] =
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts['start:prod'].match(
    /--max-semi-space-size=\d+/g,
  ) ?? [];

/** Starts a server script (under tsx unless `compiled`), pinned to one core, and waits until `readyPath` answers 200. */
export async function startServer(
  script: string,
  env: Record<string, string>,
  options: { readyPath?: string; core?: number; port?: number; compiled?: boolean } = {},
): Promise<Server> {
  const port = options.port ?? (await freePort());
  // BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there when it stops (`node --cpu-prof`).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const nodeArgs = [
    ...profile,
    ...(options.compiled ? [...PRODUCTION_HEAP_FLAGS, script] : ['--import', 'tsx', script]),
  ];
  const [command, args] = pinned(process.execPath, nodeArgs, options.core ?? DEFAULT_CORE);
  const child = spawn(command, args, {
    env: { ...process.env, ...env, PORT: String(port), FOYER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}${options.readyPath ?? '/readyz'}`, 60_000, () => output, child);
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export async function waitFor(
  url: string,
  timeoutMs: number,
  output: () => string = () => '',
  child?: ChildProcess,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    // Polled often: the startup scenario's figure is this wait, and a coarse poll would add up to its period.
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${output()}`);
}

export interface LoadResult {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Requests completed, warm-up included (for per-request costs measured around the whole load). */
  total: number;
}

/** Bounded load from this (separate) process: autocannon for `seconds`, after a short warm-up. */
export async function load(
  options: autocannon.Options & { seconds?: number; warmup?: number },
): Promise<LoadResult> {
  const { seconds = 10, warmup = 2, ...rest } = options;
  const warm = warmup > 0 ? await autocannon({ connections: 8, ...rest, duration: warmup }) : undefined;
  const result = await autocannon({ connections: 16, ...rest, duration: seconds });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total + (warm?.requests.total ?? 0),
  };
}

export const round = (value: number, digits = 0) => Number(value.toFixed(digits));

/**
 * A figure of BENCH.md's ratio kind: Foyer's rate against its baseline's in the same run, met at 85% when no
 * request of either failed.
 */
export function ratioFigure(input: {
  scenario: string;
  unit: string;
  rate: number;
  baselineRate: number;
  /** Decimals of the rates as printed. */
  digits?: number;
  target: string;
  failures: number;
  note: string;
}): Figure {
  const ratio = input.rate / input.baselineRate;
  return {
    scenario: input.scenario,
    value: round(input.rate, input.digits),
    unit: input.unit,
    baseline: round(input.baselineRate, input.digits),
    ratio: round(ratio, 2),
    target: input.target,
    met: ratio >= 0.85 && input.failures === 0,
    note: input.note,
  };
}

/** Bundles src/ into dist/ (npm run build): production figures are measured on what production runs. */
let built = false;
export function buildDist(): void {
  if (built) return;
  built = true;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}

/**
 * CPU seconds a process has used so far (user + system), of all its threads and of its main (JavaScript) thread
 * alone, from /proc (Linux; undefined elsewhere). On a shared, noisy machine the rate of a run depends on what
 * else holds the core, but the CPU a request costs does not: the notes report both.
 */
export function cpuTime(pid: number | undefined): { total: number; main: number } | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  const seconds = (stat: string) => {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  };
  try {
    return {
      total: seconds(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      main: seconds(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')),
    };
  } catch {
    return undefined;
  }
}
// USER_HZ: 100 on every Linux this runs on.
const CLOCK_TICKS = 100;

/** Adds up a process's CPU over the windows measured (the server's load windows, not the baseline's). */
export class CpuMeter {
  private total = 0;
  private main = 0;
  private known = true;

  constructor(private readonly pid: number | undefined) {}

  async measure<T>(window: () => Promise<T>): Promise<T> {
    const before = cpuTime(this.pid);
    const result = await window();
    const after = cpuTime(this.pid);
    if (before && after) {
      this.total += after.total - before.total;
      this.main += after.main - before.main;
    } else {
      this.known = false;
    }
    return result;
  }

  /** All threads' CPU milliseconds per operation, or undefined when unknown. */
  msPerOp(operations: number): number | undefined {
    return !this.known || operations === 0 ? undefined : (this.total * 1000) / operations;
  }

  /** CPU milliseconds per operation, as a note fragment ('' when unknown). */
  perOp(operations: number, label: string): string {
    if (!this.known || operations === 0) return '';
    const ms = (seconds: number) => round((seconds * 1000) / operations, 2);
    return `${label} CPU ${ms(this.total)} ms/op (main thread ${ms(this.main)})`;
  }
}

/** The server's statement count and statement time so far (foyer_db_statements_total, from /metrics). */
export async function dbStats(url: string): Promise<{ count: number; seconds: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { count: read('foyer_db_statements_total'), seconds: read('foyer_db_statement_seconds_total') };
}

/**
 * Waits until the server's outbox is empty (foyer_outbox_depth, from /metrics) and returns how many seconds that
 * took: a figure for invitations counts the delivery of their mail too, not only its queuing.
 */
export async function outboxDrained(url: string, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const text = await (await fetch(`${url}/metrics`)).text();
    if (Number(/^foyer_outbox_depth (\S+)$/m.exec(text)?.[1]) === 0) break;
    if (performance.now() - started > timeoutMs)
      throw new Error(`the outbox did not drain in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return (performance.now() - started) / 1000;
}

/** A server that can be loaded in short rounds (see takeTurns). */
export interface TurnTaker {
  readonly server: Server;
  warmUp(): Promise<void>;
  round(): Promise<void>;
}

/**
 * Foyer and its baseline take turns in short rounds (both servers up, the one not loaded idle), so a neighbour's
 * load on the shared core weighs on both alike; one long run of each compares two different minutes of the
 * machine. Returns Foyer's database readings around its measured rounds (only they reach it in between).
 */
export async function takeTurns(baseline: TurnTaker, foyer: TurnTaker, rounds: number) {
  await baseline.warmUp();
  await foyer.warmUp();
  const before = await dbStats(foyer.server.url);
  for (let i = 0; i < rounds; i++) {
    await baseline.round();
    await foyer.round();
  }
  return { before, after: await dbStats(foyer.server.url) };
}

/** Statements and database milliseconds per request between two readings, as a note fragment. */
export function perRequest(
  before: { count: number; seconds: number },
  after: { count: number; seconds: number },
  requests: number,
): string {
  if (requests === 0) return '';
  const statements = round((after.count - before.count) / requests, 1);
  const ms = round(((after.seconds - before.seconds) * 1000) / requests, 2);
  return `${statements} statements and ${ms} ms in the database per request`;
}

/**
 * The machine's 1-minute load average as a note fragment: the machines are shared, so every figure says how busy
 * the two cores were when it was taken.
 */
export const loadAverage = () => `load average ${loadavg()[0]!.toFixed(1)}`;

/** Which database a FOYER_DATABASE_URL names, for the notes. */
export const dialectOf = (databaseUrl: string) =>
  databaseUrl.startsWith('sqlite:') ? 'SQLite' : 'PostgreSQL';
