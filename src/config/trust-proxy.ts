import { isIP } from 'node:net';
import * as z from 'zod';

/**
 * FOYER_TRUST_PROXY: which hops in front of Foyer may speak for the client through X-Forwarded-*.
 * - `false` (default): none; the socket's peer is the client.
 * - `true`: exactly one hop (the usual single reverse proxy). Never "every hop": with that, any client could
 *   send `X-Forwarded-For: 127.0.0.1` and be taken for the machine itself (logs, audit, rate limits).
 * - a number n: n hops.
 * - a comma-separated list of proxy addresses or CIDRs (`10.0.0.0/8, 192.0.2.1`): only those are trusted.
 * The value is what Fastify's (proxy-addr's) `trustProxy` option accepts for the same meaning.
 */
export type TrustProxy = false | number | string[];

/** proxy-addr's named ranges, accepted in the list form too. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  if (!address || extra !== undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

export function parseTrustProxy(raw: string, context: z.RefinementCtx): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (['', 'false', '0', 'no'].includes(value)) return false;
  if (['true', 'yes'].includes(value)) return 1;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (entries.length === 0 || bad.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `must be false, true (one hop), a hop count, or proxy addresses/CIDRs separated by commas${
        bad.length > 0 ? ` (not understood: ${bad.join(', ')})` : ''
      }`,
    });
    return z.NEVER;
  }
  return entries;
}
