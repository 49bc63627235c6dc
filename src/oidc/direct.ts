import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { type FoyerError, isFoyerError } from '../errors/catalogue.js';
import { capMessage, graphErrorEnvelope, toFoyerError } from '../errors/mapper.js';
import { consume } from '../ratelimit/limiter.js';
import { publicOriginOf, toProviderRequest } from './provider-request.js';
import type { OidcProviders, TenantProvider } from './providers.js';

/**
 * The token endpoint, handed straight from Node's HTTP server to the tenant's oidc-provider, before Fastify.
 *
 * Every token request went through Fastify's routing, its request and reply objects, the hooks and the
 * hand-off (src/oidc/index.ts) only to be given, raw, to oidc-provider, which owns the protocol: about half of
 * Foyer's own CPU per token (README "Performance"). This listener sits in front of Fastify's and serves
 * `POST /{tenant}/oauth2/v2.0/token` itself when everything it needs is already at hand, and passes every
 * other request to Fastify unchanged. What the Fastify path applies to such a request, it applies too:
 * - the same rate limit and bucket (429 with Retry-After, the Graph error envelope);
 * - the response's `request-id` (ours) and the echoed `client-request-id`;
 * - the same URL rewrite and X-Forwarded-* headers computed by Foyer, never taken from the client;
 * - the request log lines Fastify writes (at info), and the request metrics of src/metrics/routes.ts.
 * It steps aside (Fastify serves the request, as before) whenever it could differ from Fastify: a tenant
 * reference that is not plain (percent-encoded, a NUL, over-long), a query string, a tenant or provider not
 * resolved within their cache bounds (OidcProviders.peek), FOYER_TRUST_PROXY set (the client address then
 * comes from proxy-addr's rules, which Fastify applies), and while the server closes (Fastify answers 503).
 * `app.inject()` (light-my-request) calls Fastify's handler directly, so tests that use it exercise the
 * Fastify path; test/oidc/direct-token.test.ts exercises this one over a real socket.
 */

/** The route template Fastify reports for the same endpoint (metrics label it so on both paths). */
export const TOKEN_ROUTE = '/:tenant/oauth2/v2.0/token';

// A tenant id, slug or domain as typed (no percent-encoding, so no decoding to do and no NUL); Fastify's
// `ignoreTrailingSlash` is honoured.
const TOKEN_PATH = /^\/([A-Za-z0-9._-]{1,255})\/oauth2\/v2\.0\/token\/?$/;

/**
 * Token requests are counted per client id when the request names it in its Authorization header
 * (client_secret_basic), else per client address: a body's client_id belongs to oidc-provider, which reads the
 * stream itself. The ceiling is above what one core serves, so a load test from one address still measures
 * the server.
 */
export function tokenBucket(authorization: string | undefined, ip: string): string {
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const clientId = decoded.slice(0, Math.max(0, decoded.indexOf(':'))).slice(0, 200);
    // The id as sent (form-encoded, RFC 6749 §2.3.1): counting needs no decoding, and bad escapes cannot throw.
    if (clientId) return `token:client:${clientId}`;
  }
  return `token:${ip}`;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export function serveTokenEndpointDirectly(
  app: FastifyInstance,
  options: { services: Services; providers: OidcProviders },
): void {
  const { services, providers } = options;
  const { config, metrics } = services;
  // Behind a proxy the client address is proxy-addr's answer, which Fastify computes: it keeps those requests.
  if (config.trustProxy !== false) return;
  const origin = publicOriginOf(config.baseUrl);
  const limit = config.rateLimits.tokenPerAddress;
  const log = app.log;
  // pino's own check (Fastify's logger type omits it; without a logger there is none, and nothing is logged).
  const pino = log as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };

  // The metrics' series for this route, bound once: labelling each observation costs a hash of its labels.
  const duration = metrics.httpDuration.labels({ method: 'POST', route: TOKEN_ROUTE });
  const requestsByStatus = new Map<number, { inc(): void }>();

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  const server = app.server;
  const fastifyListeners = server.listeners('request') as Listener[];
  const fastify = fastifyListeners[0];
  if (fastifyListeners.length !== 1 || !fastify) return;
  server.removeListener('request', fastify);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || closing) return fastify(req, res);
    const match = TOKEN_PATH.exec(req.url ?? '');
    const entry = match ? providers.peek(match[1]!) : undefined;
    if (!entry) return fastify(req, res);
    serve(req, res, entry);
  });

  function serve(req: IncomingMessage, res: ServerResponse, entry: TenantProvider): void {
    const started = performance.now();
    const requestId = services.ids.uuid();
    const clientRequestId = req.headers['client-request-id'];
    const ip = req.socket.remoteAddress ?? '';
    // The two lines Fastify writes per request, with the same fields; `reqId` in each line rather than a child
    // logger per request (which costs more than the lines themselves), and nothing built when info is off.
    const logged = pino.isLevelEnabled?.('info') === true;
    // Fastify's request serializer (src/app/logger.ts) reads these fields: the URL is masked the same way.
    if (logged)
      log.info(
        { reqId: requestId, req: { method: req.method, url: req.url, ip, headers: req.headers } },
        'incoming request',
      );
    // Counted when the answer has been handed to Node (Koa's promise settles after `res.end`, and `failed` ends
    // the response itself) rather than on its 'finish' event: a listener per response cost ~2% of a token.
    const done = () => finished(res, started, logged ? requestId : undefined);
    const fail = (error: unknown) => {
      failed(res, error, requestId, clientRequestId);
      done();
    };

    res.setHeader('request-id', requestId);
    if (typeof clientRequestId === 'string') res.setHeader('client-request-id', clientRequestId);
    toProviderRequest(req, { origin, tenantId: entry.tenantId, ip });

    if (limit.limit <= 0) {
      // Inside a try as well: a synchronous throw here would otherwise escape the server's 'request' event.
      try {
        entry.handle(req, res).then(done, fail);
      } catch (error) {
        fail(error);
      }
      return;
    }
    consume(services, tokenBucket(req.headers.authorization, ip), limit)
      .then(() => entry.handle(req, res))
      .then(done, fail);
  }

  function finished(res: ServerResponse, started: number, loggedId: string | undefined): void {
    const seconds = (performance.now() - started) / 1000;
    const status = res.statusCode;
    let requests = requestsByStatus.get(status);
    if (!requests) {
      requests = metrics.httpRequests.labels({ method: 'POST', route: TOKEN_ROUTE, status: String(status) });
      requestsByStatus.set(status, requests);
    }
    requests.inc();
    duration.observe(seconds);
    if (status === 429) metrics.throttled.inc({ route: TOKEN_ROUTE });
    if (loggedId !== undefined)
      log.info(
        { reqId: loggedId, res: { statusCode: status }, responseTime: seconds * 1000 },
        'request completed',
      );
  }

  /** A refusal (429) or a failure before the provider answered: the Graph envelope, as the error mapper writes. */
  function failed(
    res: ServerResponse,
    raw: unknown,
    requestId: string,
    clientRequestId: string | string[] | undefined,
  ): void {
    const error: FoyerError = isFoyerError(raw) ? raw : toFoyerError(raw as Error);
    if (error.status >= 500) log.error({ reqId: requestId, err: error.cause ?? raw }, 'request failed');
    else
      log.info({ reqId: requestId, code: error.code, status: error.status }, capMessage(error.message, 300));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify(
      graphErrorEnvelope(error, requestId, typeof clientRequestId === 'string' ? clientRequestId : requestId),
    );
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.statusCode = error.status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  }
}
