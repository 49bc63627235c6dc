import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pino } from 'pino';
import type { Services } from '../app/services.js';
import { startPoller } from '../jobs/poller.js';
import { type MailLogger, retryDelayMs } from '../mail/worker.js';
import { decryptPrivateKey } from '../oidc/key-encryption.js';
import { safeLookup } from './address-guard.js';
import { signatureHeader } from './signature.js';
import {
  claimDueDeliveries,
  type DeliveryRow,
  failExhaustedDeliveries,
  findEndpoint,
  recordAttempt,
} from './store.js';

export interface WebhookWorkerOptions {
  pollMs?: number;
  batchSize?: number;
  leaseMs?: number;
  timeoutMs?: number;
  /** Attempts before a delivery ends as `failed` (5 s, 10 s, 20 s … capped at 15 min between them). */
  maxAttempts?: number;
  random?: () => number;
  logger?: MailLogger;
}

export interface WebhookWorker {
  stop(): Promise<void>;
  /** Delivers until nothing is due at the clock's current time (tests). */
  drain(): Promise<void>;
}

export const secretContext = (tenantId: string, endpointId: string) =>
  `webhook-secret:${tenantId}:${endpointId}`;

/** One POST; resolves with the status code (any), rejects on a network error or the timeout. No redirects. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; production: boolean },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: options.timeoutMs,
        // In production every connection's address is checked as it is resolved (DNS may have changed since
        // the endpoint was registered); outside production loopback receivers are allowed for tests.
        ...(options.production && { lookup: safeLookup }),
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Delivers webhook events from the database outbox, at least once: claim due deliveries under a lease, POST
 * each signed (Foyer-Signature over the timestamp and body, with the endpoint's secret) and carrying its event id,
 * and record the attempt. A 2xx delivers; anything else is retried with exponential backoff, then `failed`.
 */
export function startWebhookWorker(services: Services, options: WebhookWorkerOptions = {}): WebhookWorker {
  const pollMs = options.pollMs ?? 2_000;
  const batchSize = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 12;
  const random = options.random ?? Math.random;
  const logger: MailLogger =
    options.logger ?? pino({ level: services.config.logLevel, base: { component: 'webhook-worker' } });
  const { db, clock } = services;
  const production = services.config.env === 'production';

  async function deliver(delivery: DeliveryRow, claimToken: string): Promise<void> {
    const ref = { tenantId: delivery.tenant_id, deliveryId: delivery.id, attempt: delivery.attempts };
    const endpoint = await findEndpoint(db, delivery.tenant_id, delivery.endpoint_id);
    if (!endpoint) return; // deleted meanwhile: its deliveries went with it
    const secret = decryptPrivateKey(
      services.config.secret,
      secretContext(endpoint.tenant_id, endpoint.id),
      endpoint.secret_encrypted,
    );
    const started = clock.now();
    const timestamp = Math.floor(started.getTime() / 1000);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await post(
        endpoint.url,
        delivery.payload,
        {
          'content-type': 'application/json',
          'user-agent': 'Foyer-Webhooks/1',
          'foyer-event-id': delivery.event_id,
          'foyer-event-type': delivery.event_type,
          'foyer-delivery-id': delivery.id,
          'foyer-timestamp': String(timestamp),
          'foyer-signature': signatureHeader(secret, timestamp, delivery.payload),
        },
        { timeoutMs, production },
      );
      if (statusCode < 200 || statusCode >= 300) error = `the endpoint answered ${statusCode}`;
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const now = clock.now();
    const attempt = {
      attempted_at: started.toISOString(),
      status_code: statusCode,
      error,
      duration_ms: Math.max(0, now.getTime() - started.getTime()),
    };
    const giveUp = error !== null && delivery.attempts >= maxAttempts;
    const changes =
      error === null
        ? {
            status: 'delivered' as const,
            delivered_at: now.toISOString(),
            last_status_code: statusCode,
            last_error: null,
          }
        : {
            status: giveUp ? ('failed' as const) : ('pending' as const),
            next_attempt_at: new Date(now.getTime() + retryDelayMs(delivery.attempts, random)).toISOString(),
            last_status_code: statusCode,
            last_error: error.slice(0, 2000),
          };
    if (!(await recordAttempt(db, delivery, claimToken, attempt, changes))) {
      logger.warn(ref, 'webhook attempt finished after its lease was lost');
    } else if (error !== null) {
      logger.warn({ ...ref, err: error, giveUp }, 'webhook delivery failed');
    }
  }

  async function processBatch(): Promise<number> {
    const now = clock.now();
    await failExhaustedDeliveries(db, now, maxAttempts);
    const claimToken = services.ids.uuid();
    const claimed = await claimDueDeliveries(db, services.dialect, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      claimToken,
      batchSize,
      maxAttempts,
    });
    await Promise.all(claimed.map((delivery) => deliver(delivery, claimToken)));
    return claimed.length;
  }

  return startPoller({
    name: 'webhook worker',
    pollMs,
    logger,
    step: async () => (await processBatch()) > 0,
  });
}
