import { spawnSync } from 'node:child_process';
import { foyerEnv } from '../foyer-env.js';
import { type Figure, freePort, round, startServer } from '../lib.js';

/** Process start to /readyz 200 on an existing database, against `node -e ""`. */
export async function startup(): Promise<Figure[]> {
  const { env } = foyerEnv('startup');
  // First start creates and bootstraps the database; the measured starts find it existing.
  const first = await startServer('src/main.ts', env);
  await first.stop();
  const baselineStart = performance.now();
  spawnSync(process.execPath, ['-e', '']);
  const baseline = performance.now() - baselineStart;
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const started = performance.now();
    const server = await startServer('src/main.ts', env, { port });
    samples.push(performance.now() - started);
    await server.stop();
  }
  const best = Math.min(...samples);
  return [
    {
      scenario: 'startup',
      value: round(best),
      unit: 'ms',
      baseline: round(baseline),
      ratio: round(best / baseline, 1),
      target: '<= 1000 ms to /readyz',
      met: best <= 1000,
      note: `samples ${samples.map((s) => round(s)).join(', ')} ms (tsx transpiles on start)`,
    },
  ];
}
