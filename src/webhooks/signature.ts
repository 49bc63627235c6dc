import { createHmac } from 'node:crypto';

/**
 * The signature a receiver checks: HMAC-SHA-256 with the endpoint's secret over `<timestamp>.<body>`, hex, in
 * `Foyer-Signature: t=<timestamp>,v1=<hex>` (the timestamp is in the signed string, so a receiver can refuse
 * old replays; the same scheme as Stripe's, so existing verification code fits).
 */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}
