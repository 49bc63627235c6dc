/**
 * `npm run bench` — runs the scenarios of ../shared/BENCH.md and prints one table; `npm run bench -- <scenario>`
 * runs one; `--json` prints one JSON line per figure. Load comes from this process; servers run in children
 * pinned to one core.
 */

import type { Figure } from './lib.js';
import { bulk50k } from './scenarios/bulk-50k.js';
import { clientCredentials } from './scenarios/client-credentials.js';
import { graphList } from './scenarios/graph-list.js';
import { invite } from './scenarios/invite.js';
import { passwordLogin } from './scenarios/password-login.js';
import { refresh } from './scenarios/refresh.js';
import { scaleOut } from './scenarios/scale-out.js';
import { startup } from './scenarios/startup.js';

const scenarios: Record<string, () => Promise<Figure[]>> = {
  'client-credentials': clientCredentials,
  'password-login': passwordLogin,
  refresh,
  invite,
  'graph-list': graphList,
  startup,
  'bulk-50k': bulk50k,
  'scale-out': scaleOut,
};

const args = process.argv.slice(2);
const json = args.includes('--json');
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((name) => !(name in scenarios));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown scenario: ${unknown.join(', ')}. Known: ${Object.keys(scenarios).join(', ')}\n`,
  );
  process.exit(2);
}

const figures: Figure[] = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(scenarios)) {
  if (!json) process.stderr.write(`running ${name}…\n`);
  const results = await scenarios[name]!();
  for (const figure of results) {
    figures.push(figure);
    if (json) process.stdout.write(`${JSON.stringify(figure)}\n`);
  }
}

if (!json) {
  const rows = figures.map((f) => [
    f.scenario,
    `${f.value} ${f.unit}`,
    f.baseline === null ? '—' : `${f.baseline} ${f.unit}`,
    f.ratio === null ? '—' : String(f.ratio),
    f.met ? 'yes' : 'NO',
    f.target,
    f.note ?? '',
  ]);
  const header = ['scenario', 'value', 'baseline', 'ratio', 'met', 'target', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(
    `${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`,
  );
}
