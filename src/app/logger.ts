import type { FastifyRequest } from 'fastify';

/** Query parameters whose values are secrets: never written to logs. */
const SECRET_PARAMS =
  /([?&](?:ticket|code|token|client_secret|refresh_token|code_verifier|state|sig)=)[^&#]*/gi;

/** Masked, and capped: a URL may be ~16 KB (Node's header limit); a log line needs its head only. */
export const maskUrl = (url: string): string => {
  const masked = url.replace(SECRET_PARAMS, '$1[redacted]');
  return masked.length <= URL_LOG_MAX ? masked : `${masked.slice(0, URL_LOG_MAX)}…`;
};

const URL_LOG_MAX = 1_000;

/** The client's own request id is free text of any length (up to Node's header limit). */
const capped = (value: string | string[] | undefined) =>
  typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value;

/** pino options: JSON lines, request ids, and no secrets (headers, cookies, bodies are never logged). */
export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    serializers: {
      req(request: FastifyRequest) {
        return {
          method: request.method,
          url: maskUrl(request.url),
          ip: request.ip,
          clientRequestId: capped(request.headers['client-request-id']),
        };
      },
    },
  };
}
