import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../app/services.js';
import { startBulkRunner } from '../bulk/runner.js';
import { processInvitationDeadlines } from '../invitations/deadlines.js';
import { createMailTransport, type MailTransport, startMailWorker } from '../mail/index.js';
import { purgeExpiredOidcArtefacts } from '../oidc/index.js';
import { purgeOldCounters } from '../ratelimit/limiter.js';
import { startWebhookWorker } from '../webhooks/worker.js';

export interface BackgroundJobs {
  stop(): Promise<void>;
}

/**
 * Work that runs beside the HTTP server: the mail outbox worker, bulk invitation jobs, webhook deliveries,
 * invitation expiry and reminders, and housekeeping. Every instance runs them; the database (guarded updates,
 * SKIP LOCKED claims) keeps them from doing anything twice.
 */
export function startBackgroundJobs(
  services: Services,
  log: FastifyBaseLogger,
  options: { transport?: MailTransport; periodMs?: number } = {},
): BackgroundJobs {
  const worker = startMailWorker(services, options.transport ?? createMailTransport(services.config));
  const bulk = startBulkRunner(services, { leaseMs: services.config.bulkJobLeaseSeconds * 1000 });
  const webhooks = startWebhookWorker(services);
  const periodMs = options.periodMs ?? 60_000;
  const jobs: Array<[name: string, run: () => Promise<unknown>]> = [
    [
      'invitation_deadlines',
      async () => {
        const { expired, reminded } = await processInvitationDeadlines(services);
        if (expired || reminded) log.info({ expired, reminded }, 'invitation deadlines processed');
      },
    ],
    ['rate_limit_purge', () => purgeOldCounters(services)],
    ['oidc_purge', () => purgeExpiredOidcArtefacts(services)],
  ];
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      // Each job on its own: one failing (and counted in foyer_job_runs_total) does not skip the others.
      for (const [job, run] of jobs) {
        try {
          await run();
          services.metrics.jobRuns.inc({ job, result: 'success' });
        } catch (error) {
          services.metrics.jobRuns.inc({ job, result: 'error' });
          log.error({ err: error, job }, 'background job failed');
        }
      }
      running = undefined;
    })();
  };
  const timer = setInterval(tick, periodMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await bulk.stop();
      await webhooks.stop();
      await worker.stop();
    },
  };
}
