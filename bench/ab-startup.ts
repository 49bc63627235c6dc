/**
 * Start-up A/B of two builds in the same run: `npx tsx bench/ab-startup.ts <other dist/main.js> [starts]` starts
 * the other build and this tree's dist/ in turn (each on an existing database of its own, pinned to the bench
 * core) and prints each one's median and fastest time to /readyz. A start takes a few hundred milliseconds, so a
 * neighbour's burst lands on one start of one build; alternating and taking medians keeps it from deciding.
 */
import { foyerEnv } from './foyer-env.js';
import { buildDist, round, startServer } from './lib.js';
import { timeStart } from './scenarios/startup.js';

const [other = '', startsArg = '10'] = process.argv.slice(2);
const starts = Number(startsArg);
if (!other || !Number.isInteger(starts) || starts < 1) {
  process.stderr.write('usage: npx tsx bench/ab-startup.ts <other dist/main.js> [starts]\n');
  process.exit(2);
}
buildDist();
const builds = Object.entries({ other, this: 'dist/main.js' }).map(([name, script]) => ({
  name,
  script,
  env: foyerEnv(`ab-startup-${name}`).env,
  times: [] as number[],
}));
// The first start of each creates and bootstraps its database; the measured ones find it existing.
for (const build of builds) await (await startServer(build.script, build.env, { compiled: true })).stop();
for (let i = 0; i < starts; i++) {
  for (const build of builds) build.times.push(await timeStart(build.script, build.env, true));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const { name, script, times } of builds) {
  console.log(
    `${name.padEnd(5)} ${script}: median ${round(median(times))} ms, fastest ${round(Math.min(...times))} ms`,
  );
}
const [before, after] = builds.map((build) => median(build.times)) as [number, number];
console.log(`this / other (medians): ${round(after / before, 2)}`);
