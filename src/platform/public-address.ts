import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a production instance must never call on an administrator's behalf (request forgery through an
 * identity provider's metadata URL or a webhook endpoint): loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, unspecified, multicast and reserved ranges, in IPv4 and IPv6.
 */
const internal = new BlockList();
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
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is internal; anything that is not an IP address counts as internal too. */
export function isInternalAddress(address: string): boolean {
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address underneath.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return internal.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a host may not be called from production, or undefined when every address it resolves to is public. */
export async function internalHostReason(hostname: string): Promise<string | undefined> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : (await lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) return `${hostname} does not resolve`;
  const bad = addresses.find(isInternalAddress);
  return bad && `${hostname} resolves to ${bad}, a private or loopback address`;
}

/** A DNS lookup for http(s).request that refuses internal answers, so the address checked is the one used. */
export const publicLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true })
    .then((answers) => {
      const bad = answers.find((a) => isInternalAddress(a.address));
      if (bad) throw new Error(`${hostname} resolves to ${bad.address}, a non-public address`);
      if (options.all) callback(null, answers);
      else callback(null, answers[0]!.address, answers[0]!.family);
    })
    .catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
};
