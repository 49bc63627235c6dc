import { pino } from 'pino';
import type { Services } from '../app/services.js';
import { commitGroupOf } from '../db/group-commit.js';
import { startPoller } from '../jobs/poller.js';
import {
  type ClaimedOutboxMail,
  claimDueMail,
  failExhaustedLeases,
  markMailAttemptFailed,
  markMailSent,
  renewClaim,
} from './outbox-claims.js';
import type { MailTransport } from './transports.js';

/** The subset of pino the worker logs with. Never logs addresses or bodies: ids and errors only. */
export interface MailLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MailWorkerOptions {
  /** Pause between polls when nothing is due. */
  pollMs?: number;
  batchSize?: number;
  /**
   * How long a claim lasts without renewal: a worker that crashes mid-batch loses its mails to another worker
   * after this. A live worker renews it every renewEveryMs while it sends, however long the send takes.
   */
  leaseMs?: number;
  renewEveryMs?: number;
  /** A single send is aborted after this. */
  sendTimeoutMs?: number;
  /** Attempts before a mail ends as `failed`. */
  maxAttempts?: number;
  /** Jitter source, in [0, 1). */
  random?: () => number;
  logger?: MailLogger;
}

export interface MailWorker {
  /** Stops polling and waits for the batch in progress. */
  stop(): Promise<void>;
  /** Processes until nothing is due at the clock's current time (tests). */
  drain(): Promise<void>;
}

/** Short, so a crashed instance delays its claimed mail by about this much at most (renewed while sending). */
export const MAIL_LEASE_MS = 30_000;
const RETRY_BASE_MS = 5_000;
const RETRY_CAP_MS = 15 * 60_000;

/** Exponential backoff after the n-th failed attempt: 5 s, 10 s, 20 s … capped at 15 min, plus up to 20% jitter. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponential = RETRY_BASE_MS * 2 ** Math.max(0, Math.min(attempt - 1, 20));
  return Math.round(Math.min(RETRY_CAP_MS, exponential * (1 + 0.2 * random())));
}

/**
 * Delivers the outbox. Each batch: fail leases that ran out on their last attempt, claim due mails under a
 * fresh claim token and lease, send them, and record the outcome with updates guarded by that token — a
 * worker that lost its lease can never overwrite the outcome of the worker that re-claimed the mail.
 */
export function startMailWorker(
  services: Services,
  transport: MailTransport,
  options: MailWorkerOptions = {},
): MailWorker {
  const pollMs = options.pollMs ?? 2_000;
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? MAIL_LEASE_MS;
  const renewEveryMs = options.renewEveryMs ?? Math.floor(leaseMs / 3);
  const sendTimeoutMs = options.sendTimeoutMs ?? 2 * 60_000;
  const maxAttempts = options.maxAttempts ?? 12;
  const random = options.random ?? Math.random;
  const logger: MailLogger =
    options.logger ?? pino({ level: services.config.logLevel, base: { component: 'mail-worker' } });
  const { db, dialect, clock } = services;
  // Each outcome is one guarded UPDATE: the batch's outcomes, sent in one turn, share one commit (SQLite) and
  // that of the requests queuing mail meanwhile, rather than a commit each.
  const outcomes = commitGroupOf(db, dialect);

  async function deliver(mail: ClaimedOutboxMail, claimToken: string): Promise<void> {
    const ref = { tenantId: mail.tenantId, mailId: mail.id, attempt: mail.attempts };
    const held = { id: mail.id, claimToken, html: mail.html, text: mail.text, template: mail.template };
    try {
      // A template this build cannot render will not render on a retry either: the mail fails at once.
      if (mail.renderError !== undefined) throw new UnrenderableMail(mail.renderError);
      await transport.send(mail, { signal: AbortSignal.timeout(sendTimeoutMs) });
    } catch (error) {
      const giveUp = mail.attempts >= maxAttempts || error instanceof UnrenderableMail;
      const message = error instanceof Error ? error.message : String(error);
      const nextAttemptAt = new Date(clock.now().getTime() + retryDelayMs(mail.attempts, random));
      const recorded = await outcomes.statement((executor) =>
        markMailAttemptFailed(executor, held, { error: message, nextAttemptAt, giveUp }),
      );
      services.metrics.mailDeliveries.inc({ result: giveUp ? 'failed' : 'retry' });
      if (!recorded) logger.warn(ref, 'mail attempt failed after its lease was lost');
      else if (giveUp) logger.error({ ...ref, err: message }, 'mail delivery failed permanently; giving up');
      else logger.warn({ ...ref, err: message, nextAttemptAt }, 'mail delivery failed; will retry');
      return;
    }
    const recorded = await outcomes.statement((executor) =>
      markMailSent(executor, held, { now: clock.now(), deliveredVia: transport.name }),
    );
    services.metrics.mailDeliveries.inc({ result: 'sent' });
    // The mail went out but another worker may re-send it: it carries the same Message-ID, so it is recognisable.
    if (!recorded) logger.warn(ref, 'mail sent after its lease was lost');
  }

  async function processBatch(): Promise<number> {
    const now = clock.now();
    for (const lost of await failExhaustedLeases(db, { now, maxAttempts })) {
      services.metrics.mailDeliveries.inc({ result: 'failed' });
      logger.error(
        { tenantId: lost.tenantId, mailId: lost.id },
        'mail lease expired on its last attempt; giving up',
      );
    }
    const claimToken = services.ids.uuid();
    const claimed = await claimDueMail(db, dialect, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      claimToken,
      batchSize,
      maxAttempts,
    });
    if (claimed.length === 0) return 0;
    // While the batch is out, keep its lease fresh: another worker takes the mails over only if this one dies.
    const renewal = setInterval(() => {
      renewClaim(db, claimToken, new Date(clock.now().getTime() + leaseMs)).catch((error: unknown) =>
        logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'mail lease renewal failed',
        ),
      );
    }, renewEveryMs);
    renewal.unref();
    try {
      await Promise.all(claimed.map((mail) => deliver(mail, claimToken)));
    } finally {
      clearInterval(renewal);
    }
    return claimed.length;
  }

  return startPoller({ name: 'mail worker', pollMs, logger, step: async () => (await processBatch()) > 0 });
}

class UnrenderableMail extends Error {
  constructor(reason: string) {
    super(`the mail's stored template could not be rendered: ${reason}`);
  }
}
