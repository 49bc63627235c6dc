import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Services } from '../app/services.js';
import { operatorPrincipal } from '../auth/principal.js';
import { startBulkRunner } from '../bulk/runner.js';
import { type BulkJobResource, bulkJobResults, getBulkJob, startBulkInvitation } from '../bulk/service.js';
import { requireTenant } from '../tenants/service.js';

const quiet = { info() {}, warn() {}, error() {} };

/** `partners.csv` → `partners.results.csv`, next to the input. */
export function resultsPathOf(input: string): string {
  return /\.csv$/i.test(input) ? input.replace(/\.csv$/i, '.results.csv') : `${input}.results.csv`;
}

function bar(job: BulkJobResource, width = 30): string {
  const filled = Math.round((width * job.percentComplete) / 100);
  const count = `${job.processedRows.toLocaleString('en-US')}/${job.totalRows.toLocaleString('en-US')}`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(job.percentComplete).padStart(3)}% ${count}`;
}

/**
 * `foyer bulk-invite <tenant> file.csv`: the same job as POST /v1.0/invitations/bulk, run in this process
 * (a server on the same database may share the work: rows are claimed, never done twice). Progress goes to
 * stderr, as a bar on a terminal and as plain lines otherwise; the results file is written next to the input.
 */
export async function bulkInvite(
  services: Services,
  tenantRef: string,
  file: string,
  out: { write(text: string): void; isTTY?: boolean } = process.stderr,
): Promise<{ job: BulkJobResource; resultsPath: string }> {
  const tenant = await requireTenant(services, tenantRef);
  const principal = operatorPrincipal(tenant.id);
  const { report, job } = await startBulkInvitation(services, principal, await readFile(file), {
    fileName: basename(file),
  });
  if (!job) throw new Error('unreachable: a job is always created without validateOnly');
  out.write(
    `${report.rows} rows: ${report.validRows} to invite, ${report.invalidRowCount} invalid, ${report.duplicateRowCount} duplicates skipped\n`,
  );
  for (const problem of report.invalidRows.slice(0, 20))
    out.write(`  row ${problem.row}: ${problem.error}\n`);

  const runner = startBulkRunner(services, { pollMs: 60_000, logger: quiet });
  let lastLine = -1;
  const show = async () => {
    const now = await getBulkJob(services, principal, job.id);
    if (out.isTTY) out.write(`\r${bar(now)}`);
    else if (Math.floor(now.percentComplete / 10) !== lastLine) {
      lastLine = Math.floor(now.percentComplete / 10);
      out.write(`${bar(now)}\n`);
    }
    return now;
  };
  const ticker = setInterval(() => void show().catch(() => undefined), 250);
  let done: BulkJobResource;
  try {
    await runner.drain();
    done = await show();
  } finally {
    clearInterval(ticker);
    await runner.stop();
  }
  if (out.isTTY) out.write('\n');
  const resultsPath = resultsPathOf(file);
  await writeFile(resultsPath, await bulkJobResults(services, principal, job.id));
  out.write(
    `${done.invited} invited, ${done.reinvited} re-invited, ${done.failed} failed, ${done.skipped} skipped. Results: ${resultsPath}\n`,
  );
  return { job: done, resultsPath };
}
