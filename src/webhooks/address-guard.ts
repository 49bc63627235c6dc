import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { FoyerError } from '../errors/catalogue.js';

/**
 * Where a webhook may not point in production (SSRF): loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, unspecified, multicast and reserved ranges, in IPv4 and IPv6.
 */
const forbidden = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return forbidden.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return forbidden.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Production refuses an endpoint whose host is, or resolves to, a non-public address. Checked when the
 * endpoint is registered, and again on every connection (safeLookup), since DNS can change in between.
 */
export async function assertPublicHost(hostname: string): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) {
    throw new FoyerError('invalidValue', `url: the host '${hostname}' does not resolve.`);
  }
  const bad = addresses.find(isForbiddenAddress);
  if (bad) {
    throw new FoyerError(
      'invalidValue',
      `url: '${hostname}' resolves to ${bad}, a private or loopback address; webhooks must reach a public address.`,
    );
  }
}

/** A DNS lookup for http(s).request that refuses non-public answers, so the address checked is the one used. */
export const safeLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true })
    .then((answers) => {
      const bad = answers.find((a) => isForbiddenAddress(a.address));
      if (bad) throw new Error(`${hostname} resolves to ${bad.address}, a non-public address`);
      if (options.all) callback(null, answers);
      else callback(null, answers[0]!.address, answers[0]!.family);
    })
    .catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
};
