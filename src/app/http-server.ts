import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config/index.js';
import { type ErrorKey, FoyerError } from '../errors/catalogue.js';
import { graphErrorEnvelope } from '../errors/mapper.js';

/**
 * Limits of the HTTP server against slow clients (Slowloris and its trickled-body cousin): headers, a whole
 * request and a silent connection each have a deadline, so a client that never finishes cannot hold a socket
 * (and its file descriptor) for minutes.
 */
export function httpServerOptions(
  config: Pick<Config, 'http'>,
  newRequestId: () => string,
): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: ServerOptions;
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
} {
  const { http } = config;
  return {
    connectionTimeout: http.idleTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    http: {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      // Node checks the two deadlines above on this period (30 s by default): a deadline is only as sharp as it.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(http.headersTimeoutMs / 2))),
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) =>
      answerClientError(error, socket, newRequestId()),
  };
}

/** Errors Node raises before any route runs, by the codes of its HTTP parser and server. */
function clientErrorKey(code: string | undefined): ErrorKey {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'requestTimeout';
  if (code === 'HPE_HEADER_OVERFLOW') return 'headersTooLarge';
  if (code === 'HPE_URI_TOO_LONG') return 'uriTooLong';
  return 'badRequest';
}

const messages: Partial<Record<ErrorKey, string>> = {
  requestTimeout: 'The request was not received in time.',
  headersTooLarge: 'The request line and headers are too large (the URL included).',
  uriTooLong: 'The request URL is too long.',
  badRequest: 'The request is not valid HTTP.',
};

/**
 * The answer to a request Node could not parse or did not receive in time: the Graph envelope with a
 * request-id, like every other error (Fastify's default writes its own JSON shape), then the socket closes.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket, requestId: string): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const key = clientErrorKey(error.code);
    const foyerError = new FoyerError(key, messages[key] ?? 'Bad request.');
    const body = JSON.stringify(graphErrorEnvelope(foyerError, requestId, requestId));
    socket.write(
      `HTTP/1.1 ${foyerError.status} ${statusText(foyerError.status)}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `request-id: ${requestId}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

const statusText = (status: number): string =>
  ({
    400: 'Bad Request',
    408: 'Request Timeout',
    414: 'URI Too Long',
    431: 'Request Header Fields Too Large',
  })[status] ?? 'Error';

/**
 * At most `max` open connections per client address: one client cannot take every file descriptor. Off
 * behind a trusted proxy, where every connection comes from the proxy (which must enforce its own).
 */
export function capConnectionsPerClient(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
