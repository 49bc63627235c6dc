import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FoyerProcess, freePort, ROOT, requestAppToken, startFoyerProcess } from '../helpers/process.js';

/**
 * Foyer as an operator runs it: `npm start` and the production build (`npm run build` + `npm run start:prod`),
 * real processes on real ports. After load, SIGTERM or SIGINT must end the process within 10 s, every time
 * (on Node 20 the TypeScript loader thread used to leave it in Atomics.wait forever).
 */

const CLIENT_ID = '6f0c1a62-1f5e-4c2b-9d8e-2a7b3c4d5e6f';
const CLIENT_SECRET = 'process-test-client-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'process-test-admin-password';
const SECRET = 'process-test-secret-0123456789-abcdefghijklmnop';

/** Token requests and reads from several concurrent clients until `stop` says so. */
function load(port: number, until: () => boolean, progress: { completed: number }): Promise<number> {
  const base = `http://127.0.0.1:${port}`;
  let completed = 0;
  const client = async () => {
    while (!until()) {
      try {
        await requestAppToken(base, 'contoso', CLIENT_ID, CLIENT_SECRET).then((r) => r.arrayBuffer());
        await fetch(`${base}/readyz`).then((r) => r.arrayBuffer());
        completed += 1;
        progress.completed = completed;
      } catch {
        return; // the server is going away
      }
    }
  };
  return Promise.all(Array.from({ length: 16 }, client)).then(() => completed);
}

async function stopAfterLoad(started: FoyerProcess, signal: NodeJS.Signals): Promise<number> {
  let signalled = false;
  const progress = { completed: 0 };
  const loading = load(started.port, () => signalled, progress);
  // Under load means some requests served (not a fixed time: a busy machine serves fewer per second).
  for (let waited = 0; progress.completed <= 5 && waited < 30_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<number>((done) => started.child.once('exit', () => done(Date.now())));
  const sentAt = Date.now();
  started.child.kill(signal);
  const completed = await Promise.race([
    loading,
    new Promise<number>((r) => setTimeout(() => r(-1), 12_000)),
  ]);
  signalled = true;
  expect(completed, 'requests served before the signal').toBeGreaterThan(5);
  const exitedAt = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(0), 12_000))]);
  if (!exitedAt) started.child.kill('SIGKILL');
  expect(exitedAt, `exited after ${signal}:\n${started.output()}`).toBeGreaterThan(0);
  // Nothing is left listening: not the process npm started either.
  expect(await fetch(`http://127.0.0.1:${started.port}/healthz`).catch(() => 'gone')).toBe('gone');
  return exitedAt - sentAt;
}

describe('process lifecycle', { timeout: 400_000 }, () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'foyer-process-'));
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const bootstrapEnv = {
    FOYER_BOOTSTRAP_CLIENT_ID: CLIENT_ID,
    FOYER_BOOTSTRAP_CLIENT_SECRET: CLIENT_SECRET,
    FOYER_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FOYER_LOG_LEVEL: 'warn',
  };

  it('npm start exits within 10 s of SIGTERM or SIGINT after load, every time', async () => {
    const data = join(directory, 'dev');
    const env = {
      ...bootstrapEnv,
      FOYER_DATA_DIR: data,
      FOYER_DATABASE_URL: `sqlite:${join(data, 'foyer.db')}`,
    };
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGTERM'] as const) {
      const started = await startFoyerProcess(['npm', 'start'], env, await freePort(), 90_000);
      const stoppedInMs = await stopAfterLoad(started, signal);
      if (process.env.FOYER_TEST_TIMINGS)
        console.log(signal, { readyAfterMs: started.readyAfterMs, stoppedInMs });
      expect(stoppedInMs, started.output()).toBeLessThan(10_000);
    }
  });

  it('the production build starts explicitly in production, prints no secret, and exits on a signal', async () => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
    const data = join(directory, 'prod');
    const env = {
      ...bootstrapEnv,
      FOYER_DATA_DIR: data,
      FOYER_DATABASE_URL: `sqlite:${join(data, 'foyer.db')}`,
      FOYER_SECRET: SECRET,
      FOYER_BASE_URL: 'https://id.example.test',
      FOYER_SMTP_URL: 'smtp://127.0.0.1:9',
    };
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const started = await startFoyerProcess(
        ['node', 'dist/main.js', '--production'],
        env,
        await freePort(),
        90_000,
      );
      expect(started.output()).toContain('(production mode)');
      for (const secret of [CLIENT_SECRET, ADMIN_PASSWORD, SECRET])
        expect(started.output()).not.toContain(secret);
      const stoppedInMs = await stopAfterLoad(started, signal);
      if (process.env.FOYER_TEST_TIMINGS)
        console.log(signal, { readyAfterMs: started.readyAfterMs, stoppedInMs });
      expect(stoppedInMs, started.output()).toBeLessThan(10_000);
    }
    // The generated operator token went to the bootstrap file, once.
    expect(await readdir(data)).toContain('bootstrap.json');

    // Another FOYER_SECRET cannot decrypt the signing keys the load created: refused at start, in one message.
    const refused = spawnSync('node', ['dist/main.js', '--production'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        PORT: String(await freePort()),
        FOYER_SECRET: 'another-secret-than-before-0123456789-abcdefgh',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /^Foyer cannot start: FOYER_SECRET does not decrypt the signing keys of 1 tenant/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });
});
