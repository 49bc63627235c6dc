import type { FastifyRequest } from 'fastify';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Whether a request comes from a client on this machine, for loopback-only pages (the dev mailbox, /metrics
 * without a token). Decided by the socket's own peer, never by request.ip: behind a trusted proxy that comes from
 * X-Forwarded-For, which clients write. A proxy on this machine has a loopback peer too, so a request that was
 * forwarded for anyone else (any X-Forwarded-For entry that is not loopback) is not local either.
 */
export function isLoopbackRequest(request: FastifyRequest): boolean {
  if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) return false;
  const forwarded = request.headers['x-forwarded-for'];
  if (forwarded === undefined) return true;
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',');
  return hops.every((hop) => LOOPBACK.has(hop.trim()));
}
