import { spawnSync } from 'node:child_process';
import { foyerEnv } from '../foyer-env.js';
import { buildDist, type Figure, freePort, round, startServer } from '../lib.js';

/** Milliseconds from spawning `script` (pinned, as every bench server) to its /readyz answering 200. */
export async function timeStart(
  script: string,
  env: Record<string, string>,
  compiled: boolean,
): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const server = await startServer(script, env, { port, compiled });
  const elapsed = performance.now() - started;
  await server.stop();
  return elapsed;
}

/**
 * Process start to /readyz 200 on an existing database, against `node -e ""`. Measured on the production
 * build (`npm run build`, `node dist/main.js`) and on `npm start` (a fresh bundle, then the same code).
 */
export async function startup(): Promise<Figure[]> {
  buildDist();
  const { env } = foyerEnv('startup');
  // The first start creates and bootstraps the database; the measured starts find it existing.
  const first = await startServer('dist/main.js', env, { compiled: true });
  await first.stop();
  // The fastest of three, as for Foyer below: one sample could land on a neighbour's burst.
  const baseline = Math.min(
    ...[1, 2, 3].map(() => {
      const started = performance.now();
      spawnSync(process.execPath, ['-e', '']);
      return performance.now() - started;
    }),
  );
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) samples.push(await timeStart('dist/main.js', env, true));
  // What `npm start` runs: scripts/start.mjs bundles src/ with esbuild, then runs the bundle in the same process.
  const npmStart = await timeStart('scripts/start.mjs', env, true);
  const best = Math.min(...samples);
  return [
    {
      scenario: 'startup',
      value: round(best),
      unit: 'ms',
      baseline: round(baseline),
      ratio: round(best / baseline, 1),
      target: '<= 1000 ms to /readyz (production build), <= 2000 ms (npm start)',
      met: best <= 1000 && npmStart <= 2000,
      note: `node dist/main.js: ${samples.map((s) => round(s)).join(', ')} ms; npm start: ${round(npmStart)} ms`,
    },
  ];
}
