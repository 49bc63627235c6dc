import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StatementStats } from '../db/connect.js';

/** Outcomes of a sign-in, as `foyer_sign_ins_total{result}` counts them. */
export type SignInResult = 'success' | 'failure' | 'mfa_required' | 'blocked' | 'throttled';

/** One registry per app (not prom-client's global), so several apps in one test process stay apart. */
export function createMetrics(statements?: StatementStats) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'foyer_' });
  if (statements) {
    // Read at scrape time from the counts the database handle keeps (src/db/connect.ts): no cost per statement.
    new Counter({
      name: 'foyer_db_statements_total',
      help: 'SQL statements run by this instance, transaction control included.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(statements.count);
      },
    });
    new Counter({
      name: 'foyer_db_statement_seconds_total',
      help: 'Time spent waiting on SQL statements by this instance, as the driver measured it.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(statements.seconds);
      },
    });
  }
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    httpRequests: counter(
      'foyer_http_requests_total',
      'HTTP requests by method, route template and status code.',
      ['method', 'route', 'status'] as const,
    ),
    httpDuration: new Histogram({
      name: 'foyer_http_request_duration_seconds',
      help: 'HTTP request latency by method and route template.',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    tokensIssued: counter('foyer_tokens_issued_total', 'Tokens issued by grant type and token kind.', [
      'grant',
      'kind',
    ] as const),
    throttled: counter(
      'foyer_throttled_requests_total',
      'Requests refused with 429 Too Many Requests, by route template.',
      ['route'] as const,
    ),
    invitations: counter(
      'foyer_invitations_total',
      'Invitations by outcome: created, resent, reminded, redeemed, revoked, expired, reset, refused.',
      ['outcome'] as const,
    ),
    signIns: counter('foyer_sign_ins_total', 'Sign-ins by result.', ['result'] as const),
    mailDeliveries: counter(
      'foyer_mail_deliveries_total',
      'Outbox delivery attempts by this instance, by result: sent, retry (failed, will retry), failed (given up).',
      ['result'] as const,
    ),
    jobRuns: counter('foyer_job_runs_total', 'Background job runs by job and result (success, error).', [
      'job',
      'result',
    ] as const),
    outboxDepth: new Gauge({
      name: 'foyer_outbox_depth',
      help: 'Mails waiting in the outbox (pending or being sent), across every instance.',
      registers: [registry],
    }),
    outboxOldestAge: new Gauge({
      name: 'foyer_outbox_oldest_age_seconds',
      help: 'Age of the oldest mail still waiting in the outbox (0 when it is empty).',
      registers: [registry],
    }),
    outboxMails: new Gauge({
      name: 'foyer_outbox_mails',
      help: 'Mails in the outbox waiting (pending, sending) or given up (failed), across every instance.',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Counts one sign-in: the sign-in pages call this with the outcome they showed. */
export function recordSignIn(metrics: Metrics, result: SignInResult): void {
  metrics.signIns.inc({ result });
}
