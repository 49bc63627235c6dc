import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino } from 'pino';
import type { Services } from '../app/services.js';
import { callerKey, type Principal } from '../auth/principal.js';
import { commitGroupOf } from '../db/group-commit.js';
import { isFoyerError } from '../errors/catalogue.js';
import type { InvitationBody } from '../invitations/schemas.js';
import { invite } from '../invitations/service.js';
import { type Poller, startPoller } from '../jobs/poller.js';
import type { MailLogger } from '../mail/worker.js';
import { charge, consume, peek } from '../ratelimit/limiter.js';
import { currentRights } from './principal.js';
import {
  type BulkJobRow,
  type BulkRowRecord,
  claimJob,
  completeJob,
  pendingRows,
  recordRowResult,
  renewJobClaim,
} from './store.js';

export interface BulkRunnerOptions {
  pollMs?: number;
  /** How long a claim lasts without renewal: another instance resumes a crashed one's job after this. */
  leaseMs?: number;
  /**
   * Rows in flight at once. PostgreSQL: concurrent transactions on the pool (8). SQLite: the rows of a slice
   * commit together, one transaction for the slice (src/db/group-commit.ts), each row in its own unit (50; one
   * when invitation throttling is on).
   */
  concurrency?: number;
  logger?: MailLogger;
}

export interface BulkRunner {
  /** Stops after the rows in flight and releases the job, so another instance resumes it at once. */
  stop(): Promise<void>;
  /** Works until no job is left (tests, the CLI). */
  drain(): Promise<void>;
}

const BATCH = 200;

/** Thrown inside a row's transaction when its result was already recorded: the invitation rolls back. */
class RowAlreadyDone extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bodyOf(row: BulkRowRecord): InvitationBody {
  return {
    invitedUserEmailAddress: row.email,
    inviteRedirectUrl: row.redirect_url ?? '',
    ...(row.display_name && { invitedUserDisplayName: row.display_name }),
    sendInvitationMessage: true,
    ...((row.message || row.language) && {
      invitedUserMessageInfo: { customizedMessageBody: row.message, messageLanguage: row.language },
    }),
    invitedUserType: 'Guest',
    resetRedemption: false,
  };
}

/**
 * Works through bulk invitation jobs (PRODUCT §7). Each row is one call of the invitation service, whose
 * transaction also records the row's result (guarded on the row being pending): a row commits with its guest,
 * mail and result, or not at all, so a job resumed after a crash or a restart never invites a row twice. On
 * SQLite the rows of a slice run at once and so share one commit (src/db/group-commit.ts): a crash before it
 * leaves all of them pending, none half done, and a row refused inside it is undone alone.
 * Invitation throttling applies: the job waits for the next window instead of failing rows.
 */
export function startBulkRunner(services: Services, options: BulkRunnerOptions = {}): BulkRunner {
  const pollMs = options.pollMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const { invitations, invitationsPerCaller } = services.config.rateLimits;
  // The tenant-wide budget is peeked before a row and charged after it, so rows in flight together can pass the
  // same peek: with it on, SQLite keeps one row at a time as before (exact; a throttled job is slow anyway, 150
  // rows per 5 s by default), and PostgreSQL its 8 (at most 7 over, as before).
  const sqliteRows = invitations.limit > 0 ? 1 : 50;
  const concurrency = options.concurrency ?? (services.dialect === 'postgres' ? 8 : sqliteRows);
  const logger: MailLogger =
    options.logger ?? pino({ level: services.config.logLevel, base: { component: 'bulk-runner' } });
  // Set below, once the steps it runs are defined; a long job checks it to hand its rows back on stop().
  let poller: Poller | undefined;
  const stopped = () => poller?.isStopped() ?? false;

  /** Spends the invitation budgets as POST /invitations does, waiting out a full window instead of failing. */
  async function paced(principal: Principal): Promise<void> {
    const tenantBucket = `invitations:${principal.tenantId}`;
    for (;;) {
      try {
        await peek(services, tenantBucket, invitations);
        await consume(services, `${tenantBucket}:${callerKey(principal)}`, invitationsPerCaller);
        return;
      } catch (error) {
        if (!isFoyerError(error) || error.key !== 'tooManyRequests') throw error;
        await sleep(1000 * Number(error.headers['Retry-After'] ?? 1));
      }
    }
  }

  async function processRow(principal: Principal, row: BulkRowRecord): Promise<void> {
    await paced(principal);
    const now = () => services.clock.now().toISOString();
    try {
      await invite(services, principal, bodyOf(row), {
        within: async (trx, { resource, reinvited }) => {
          const status = reinvited ? 'reinvited' : 'invited';
          const recorded = await recordRowResult(trx, row, {
            status,
            userId: resource.invitedUser.id,
            error: null,
            now: now(),
          });
          if (!recorded) throw new RowAlreadyDone();
        },
      });
      await charge(services, `invitations:${principal.tenantId}`, invitations);
    } catch (error) {
      if (error instanceof RowAlreadyDone) return;
      // A refusal of this row (domain policy, a member's address, rights): its result, the job goes on. Anything
      // else (the database is gone) stops the job; its lease runs out and it resumes from the pending rows.
      if (!isFoyerError(error) || error.status >= 500) throw error;
      await commitGroupOf(services.db, services.dialect).run((trx) =>
        recordRowResult(trx, row, {
          status: 'failed',
          userId: null,
          error: `${error.code}: ${error.message}`,
          now: now(),
        }),
      );
    }
  }

  async function runJob(job: BulkJobRow, claimToken: string): Promise<void> {
    const creator = JSON.parse(job.principal) as Principal;
    const ref = { tenantId: job.tenant_id, jobId: job.id };
    logger.info(ref, 'bulk invitation job claimed');
    for (;;) {
      if (stopped()) {
        await renewJobClaim(services.db, job.id, claimToken, null);
        return;
      }
      const rows = await pendingRows(services.db, job.id, BATCH);
      const principal = await currentRights(services, creator);
      if (rows.length === 0) {
        await completeJob(services.db, job.id, claimToken, services.clock.now().toISOString());
        logger.info(ref, 'bulk invitation job completed');
        return;
      }
      for (let i = 0; i < rows.length && !stopped(); i += concurrency) {
        await Promise.all(rows.slice(i, i + concurrency).map((row) => processRow(principal, row)));
        // better-sqlite3 answers synchronously, so without this the job would run in microtasks alone and hold
        // the event loop: HTTP requests (progress included) and timers get their turn between rows.
        await nextTurn();
      }
      const leaseUntil = new Date(services.clock.now().getTime() + leaseMs);
      if (!(await renewJobClaim(services.db, job.id, claimToken, leaseUntil))) {
        logger.warn(ref, 'bulk invitation job lease lost; another worker carries on');
        return;
      }
    }
  }

  async function runOnce(): Promise<boolean> {
    const now = services.clock.now();
    const claimToken = services.ids.uuid();
    const job = await claimJob(services.db, services.dialect, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      claimToken,
    });
    if (!job) return false;
    await runJob(job, claimToken);
    return true;
  }

  poller = startPoller({ name: 'bulk runner', pollMs, logger, step: runOnce });
  return poller;
}
