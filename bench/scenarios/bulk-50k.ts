import { appToken, foyerEnv } from '../foyer-env.js';
import { buildDist, cpuTime, type Figure, freePort, round, startServer } from '../lib.js';

const ROWS = 50_000;
const TARGET_SECONDS = 180;

/**
 * BENCH.md bulk-50k: POST a 50,000-row CSV to /v1.0/invitations/bulk and follow the job until every row is
 * done (each row's mail is queued in the row's own transaction, so "completed" is "all mails queued").
 * Throttling off (FOYER_INVITE_RATE_LIMIT=0). Progress is printed as it is read from the API.
 */
export async function bulk50k(): Promise<Figure[]> {
  const port = await freePort();
  const { env, clientId } = foyerEnv('bulk', {
    FOYER_BASE_URL: `http://127.0.0.1:${port}`,
    FOYER_INVITE_RATE_LIMIT: '0',
  });
  buildDist();
  const foyer = await startServer('dist/main.js', env, { port, compiled: true });
  try {
    const token = await appToken(foyer.url, clientId);
    const lines = ['email,displayName,redirectUrl,message,language'];
    for (let i = 0; i < ROWS; i++) {
      lines.push(`guest${i}@partner${i % 50}.example,Guest ${i},https://apps.example/welcome,,`);
    }
    const cpuBefore = cpuTime(foyer.process.pid);
    const started = performance.now();
    const created = await fetch(`${foyer.url}/v1.0/invitations/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: lines.join('\r\n'),
    });
    if (created.status !== 202) throw new Error(`bulk: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const accepted = (performance.now() - started) / 1000;
    let job: {
      status: string;
      processedRows: number;
      percentComplete: number;
      invited: number;
      failed: number;
    };
    let polls = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const response = await fetch(`${foyer.url}/v1.0/invitations/bulk/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      job = (await response.json()) as typeof job;
      polls++;
      const elapsed = (performance.now() - started) / 1000;
      process.stderr.write(
        `  bulk-50k ${elapsed.toFixed(0)} s: ${job.processedRows}/${ROWS} (${job.percentComplete}%)\n`,
      );
      // Followed to the end (up to 30 minutes), so a miss is measured rather than cut off.
      if (job.status === 'completed' || elapsed > 1_800) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuTime(foyer.process.pid);
    // On a shared machine the wall time depends on what else holds the core; the CPU the server spent (the job,
    // and the mail worker delivering to the dev mailbox meanwhile) does not: it is what one free core would need.
    const cpu = cpuBefore && cpuAfter ? cpuAfter.total - cpuBefore.total : null;
    return [
      {
        scenario: 'bulk-50k',
        value: round(seconds, 1),
        unit: 's',
        baseline: null,
        ratio: null,
        target: '<= 180 s, progress visible',
        met: job.status === 'completed' && job.invited === ROWS && seconds <= TARGET_SECONDS,
        note: `${round(ROWS / seconds)} rows/s; server CPU ${cpu === null ? '?' : `${round(cpu)} s (${round((1000 * cpu) / ROWS, 2)} ms/row)`}; upload + validation ${round(accepted, 1)} s; ${polls} progress reads; invited ${job.invited}, failed ${job.failed}`,
      },
    ];
  } finally {
    await foyer.stop();
  }
}
