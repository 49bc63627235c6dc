import type { Services } from '../app/services.js';
import { authorize } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import { assertMayInvite } from '../invitations/authorization.js';
import { getTenantPolicies } from '../policies/service.js';
import { type BulkJobResource, readableJob, startBulkInvitation, toJobResource } from './service.js';
import { deleteStaleValidatedJobs, findJob, recentJobs, startValidatedJob } from './store.js';

/**
 * The console's two steps (PRODUCT §7: a validation report before anything starts): the file is checked and
 * kept in the database as a `validated` job of this tenant, its report shown; Start then hands it to the runner.
 * Kept there rather than in the browser or a stash: the rows are already what the runner reads, tenant-scoped
 * like every job, and a resumed job reads the same rows.
 */
const HELD_FOR_MS = 24 * 3600 * 1000;

export async function validateAndHold(
  services: Services,
  principal: Principal,
  file: Buffer,
  fileName: string | null,
): Promise<BulkJobResource> {
  const before = new Date(services.clock.now().getTime() - HELD_FOR_MS).toISOString();
  await deleteStaleValidatedJobs(services.db, principal.tenantId, before);
  const { job } = await startBulkInvitation(services, principal, file, { hold: true, fileName });
  // Only validateOnly answers without a job.
  if (!job) throw new Error('a held bulk job was not created');
  return job;
}

/**
 * Starts a validated job: whoever may read it and may invite now (the same checks as the API's POST). Starting
 * a job that runs or ran already is a 409 with a clear message, not a second run.
 */
export async function startHeldBulkJob(
  services: Services,
  principal: Principal,
  id: string,
): Promise<BulkJobResource> {
  const job = await readableJob(services, principal, id);
  const policies = await getTenantPolicies(services.db, principal.tenantId);
  await assertMayInvite(services, principal, policies.authorization);
  const now = services.clock.now().toISOString();
  if (!(await startValidatedJob(services.db, principal.tenantId, job, now))) {
    throw new FoyerError('conflict', 'This bulk invitation job has already been started.');
  }
  const started = await findJob(services.db, principal.tenantId, id);
  if (!started) throw new FoyerError('notFound', `Bulk invitation job '${id}' does not exist.`);
  return toJobResource(services, started);
}

/** The tenant's latest started jobs, for those who manage its invitations. */
export async function listBulkJobs(
  services: Services,
  principal: Principal,
  limit = 20,
): Promise<BulkJobResource[]> {
  authorize(principal, 'manageInvitations');
  const jobs = await recentJobs(services.db, principal.tenantId, limit);
  return jobs.map((job) => toJobResource(services, job));
}
