import type { Services } from '../app/services.js';
import { can, denied } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import type { BulkJobStatus } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import { odataContext } from '../graph/response.js';
import { assertMayInvite } from '../invitations/authorization.js';
import { getTenantPolicies } from '../policies/service.js';
import { parseBulkFile, resultsCsv, type ValidationReport } from './csv.js';
import { type BulkJobRow, findJob, insertJob, processedRows } from './store.js';

/** A bulk invitation job as the API shows it (a Foyer extension, not in Graph). */
export interface BulkJobResource {
  '@odata.context': string;
  id: string;
  status: BulkJobStatus;
  fileName: string | null;
  createdDateTime: string;
  startedDateTime: string | null;
  completedDateTime: string | null;
  totalRows: number;
  processedRows: number;
  percentComplete: number;
  invited: number;
  reinvited: number;
  failed: number;
  skipped: number;
  validation: ValidationReport;
  resultsUrl: string;
}

export function toJobResource(services: Services, job: BulkJobRow): BulkJobResource {
  const base = services.config.baseUrl;
  return {
    '@odata.context': odataContext(base, 'invitations/bulk', undefined, true),
    id: job.id,
    status: job.status,
    fileName: job.file_name,
    createdDateTime: job.created_at,
    startedDateTime: job.started_at,
    completedDateTime: job.completed_at,
    totalRows: job.total_rows,
    processedRows: job.processed_rows,
    percentComplete: Math.floor((100 * job.processed_rows) / Math.max(1, job.total_rows)),
    invited: job.invited_count,
    reinvited: job.reinvited_count,
    failed: job.failed_count,
    skipped: job.skipped_count,
    validation: JSON.parse(job.validation) as ValidationReport,
    resultsUrl: `${base}/v1.0/invitations/bulk/${job.id}/results`,
  };
}

/**
 * Checks a file and, unless only validation was asked for, stores it as a job the bulk runner works through
 * (src/bulk/runner.ts). The caller must be allowed to invite now (the same check as POST /invitations); each
 * row is then invited through that same service, which checks again row by row. Invalid rows are recorded as
 * `failed` and repeated addresses as `skipped` up front, so the results file has one line per row.
 */
export async function startBulkInvitation(
  services: Services,
  principal: Principal,
  file: Buffer,
  options: {
    validateOnly?: boolean;
    fileName?: string | null;
    /** Keep the checked file as a `validated` job that startHeldBulkJob starts (the console's report). */
    hold?: boolean;
  } = {},
): Promise<{ report: ValidationReport; job: BulkJobResource | null }> {
  const policies = await getTenantPolicies(services.db, principal.tenantId);
  await assertMayInvite(services, principal, policies.authorization);
  const { rows, report } = await parseBulkFile(file);
  if (options.validateOnly) return { report, job: null };
  const now = services.clock.now().toISOString();
  const failed = report.invalidRowCount;
  const skipped = report.duplicateRowCount;
  const nothingToDo = rows.length === failed + skipped;
  const job: BulkJobRow = {
    tenant_id: principal.tenantId,
    id: services.ids.uuid(),
    status: options.hold ? 'validated' : nothingToDo ? 'completed' : 'running',
    // The job invites with its creator's rights, after a restart too: the principal is kept with it.
    principal: JSON.stringify(principal),
    file_name: options.fileName ?? null,
    total_rows: rows.length,
    processed_rows: failed + skipped,
    invited_count: 0,
    reinvited_count: 0,
    failed_count: failed,
    skipped_count: skipped,
    validation: JSON.stringify(report),
    created_at: now,
    started_at: null,
    completed_at: nothingToDo && !options.hold ? now : null,
    claimed_until: null,
    claim_token: null,
  };
  await services.db.transaction().execute((trx) =>
    insertJob(
      trx,
      job,
      rows.map((r) => ({
        row_number: r.row,
        email: r.body?.invitedUserEmailAddress ?? r.email,
        display_name: r.displayName,
        redirect_url: r.redirectUrl,
        message: r.message,
        language: r.language,
        status: r.error !== null ? 'failed' : r.duplicateOf !== null ? 'skipped' : 'pending',
        user_id: null,
        error: r.error ?? (r.duplicateOf !== null ? `duplicate of row ${r.duplicateOf}` : null),
        processed_at: r.error !== null || r.duplicateOf !== null ? now : null,
      })),
    ),
  );
  return { report, job: toJobResource(services, job) };
}

/** The creator of a job, and whoever manages the tenant's invitations, may follow it. */
export async function readableJob(services: Services, principal: Principal, id: string): Promise<BulkJobRow> {
  const job = await findJob(services.db, principal.tenantId, id);
  if (!job) throw new FoyerError('notFound', `Bulk invitation job '${id}' does not exist.`);
  const creator = JSON.parse(job.principal) as Principal;
  const own =
    creator.kind === principal.kind &&
    creator.objectId === principal.objectId &&
    (creator.kind !== 'app' || principal.kind !== 'app' || creator.appId === principal.appId);
  if (!own && !can(principal, 'manageInvitations')) {
    throw denied('Only the job creator, administrators and guest inviters may read a bulk invitation job.');
  }
  return job;
}

export async function getBulkJob(services: Services, principal: Principal, id: string) {
  return toJobResource(services, await readableJob(services, principal, id));
}

/** The results file so far (`email,status,userId,error`), one line per processed row, in file order. */
export async function bulkJobResults(services: Services, principal: Principal, id: string): Promise<string> {
  const job = await readableJob(services, principal, id);
  const rows = await processedRows(services.db, job.tenant_id, job.id);
  return resultsCsv(
    rows.map((r) => ({ email: r.email, status: r.status, userId: r.user_id, error: r.error })),
  );
}
