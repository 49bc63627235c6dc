import * as z from 'zod';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

export type { TrustProxy } from './trust-proxy.js';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const databaseUrl = z.string().refine((url) => /^(sqlite:|postgres(ql)?:\/\/)/.test(url), {
  message: 'must start with sqlite: (e.g. sqlite:./data/foyer.db) or postgres://',
});

/** The whole environment Foyer reads. Nothing else in the code base touches process.env. */
const environmentSchema = z.object({
  FOYER_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  FOYER_BASE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  FOYER_DATABASE_URL: databaseUrl.default('sqlite:./data/foyer.db'),
  FOYER_SMTP_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^smtps?$/ }).optional()),
  FOYER_MAIL_FROM: z.preprocess(emptyToUndefined, z.email().optional()),
  FOYER_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional(),
  ),
  FOYER_DOMAIN_SUFFIX: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'must be a domain name')
    .default('foyer.localhost'),
  FOYER_TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
  // Production refuses an http:// FOYER_BASE_URL (cookies and tokens would travel in clear) unless this says so.
  FOYER_ALLOW_HTTP_BASE_URL: booleanString.default(false),
  // /metrics: open on loopback only, or to any client presenting this bearer token.
  FOYER_METRICS_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  // After `foyer keys rotate`, how long the new key is only published before it signs (see src/oidc/keys.ts).
  FOYER_KEY_ROTATION_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(60, 'must be at least 60 (longer than every instance key cache)')
    .default(600),
  // The Google preset's issuer (issue 9): Google's own unless set (tests point it at a local provider).
  FOYER_GOOGLE_ISSUER: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  FOYER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FOYER_DATA_DIR: z.string().default('./data'),
  FOYER_INVITE_RATE_LIMIT: z.coerce.number().int().min(0).default(150),
  FOYER_INVITE_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(5),
  FOYER_BULK_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  FOYER_API_RATE_LIMIT: z.coerce.number().int().min(0).default(3000),
  // Per caller (application or user) within a tenant; unset: the tenant's limit (a caller alone may use it all).
  FOYER_INVITE_RATE_LIMIT_PER_CALLER: z.coerce.number().int().min(0).optional(),
  FOYER_API_RATE_LIMIT_PER_CALLER: z.coerce.number().int().min(0).optional(),
  FOYER_SIGNIN_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  FOYER_TOKEN_RATE_LIMIT: z.coerce.number().int().min(0).default(6000),
  FOYER_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(3600),
  // Slow clients (trickled or never-sent headers and bodies) must not hold sockets open: see httpLimits.
  FOYER_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  FOYER_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  FOYER_HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  FOYER_HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(72_000),
  FOYER_HTTP_MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().min(0).default(128),
  FOYER_BOOTSTRAP_TENANT: optionalString,
  FOYER_BOOTSTRAP_ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.email().optional()),
  FOYER_BOOTSTRAP_ADMIN_PASSWORD: z.preprocess(
    emptyToUndefined,
    z.string().min(12, 'must be at least 12 characters').optional(),
  ),
  FOYER_BOOTSTRAP_CLIENT_ID: z.preprocess(emptyToUndefined, z.uuid().optional()),
  FOYER_BOOTSTRAP_CLIENT_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** The public address: every issuer, link and cookie is built from it. No trailing slash. */
  baseUrl: string;
  database: { url: string; dialect: 'sqlite' | 'postgres' };
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Undefined only before main.ts resolves the development secret. */
  secret: string | undefined;
  domainSuffix: string;
  /** false, a hop count, or the proxies' addresses/CIDRs: never "every hop" (see trust-proxy.ts). */
  trustProxy: TrustProxy;
  /** Set only when FOYER_ALLOW_HTTP_BASE_URL let production run on an http:// base URL. */
  allowHttpBaseUrl: boolean;
  metricsToken: string | undefined;
  keyRotationGraceSeconds: number;
  /** Issuer of the Google identity provider preset: https://accounts.google.com unless FOYER_GOOGLE_ISSUER. */
  googleIssuer: string;
  logLevel: string;
  dataDir: string;
  /**
   * How long a bulk job stays with the instance that claimed it without a renewal: after a crash, the job
   * resumes (on any instance, the restarted one included) once this has passed.
   */
  bulkJobLeaseSeconds: number;
  rateLimits: {
    /** Tenant-wide ceilings, paid by successful requests only (src/ratelimit/budgets.ts). */
    invitations: { limit: number; windowSeconds: number };
    api: { limit: number; windowSeconds: number };
    /** Each caller's own budget within a tenant, paid by every request it makes. */
    invitationsPerCaller: { limit: number; windowSeconds: number };
    apiPerCaller: { limit: number; windowSeconds: number };
    /** Requests that authenticate nobody (authorize, logout, sign-in and redemption pages), per client address. */
    signInPerAddress: { limit: number; windowSeconds: number };
    /** Token endpoint requests per client address. */
    tokenPerAddress: { limit: number; windowSeconds: number };
  };
  accessTokenTtlSeconds: number;
  /** HTTP server limits against slow or greedy clients (PRODUCT §8, README "Security model"). */
  http: {
    /** Time to receive a request's complete headers. */
    headersTimeoutMs: number;
    /** Time to receive a whole request, headers and body. */
    requestTimeoutMs: number;
    /** A connection silent this long is closed. */
    idleTimeoutMs: number;
    /** How long a kept-alive connection waits for its next request (above the proxy's own idle timeout). */
    keepAliveTimeoutMs: number;
    /** Open connections per client address; 0 = no cap. Not applied behind a trusted proxy (one address). */
    maxConnectionsPerClient: number;
  };
  bootstrap: {
    tenant: string | undefined;
    adminEmail: string | undefined;
    adminPassword: string | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once. Throws a ConfigError listing every bad variable in one message. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  // Checked on the raw values too, so a production start with other mistakes still hears about these.
  if (env.FOYER_ENV === 'production') {
    if (!env.FOYER_SECRET) problems.push('FOYER_SECRET: required in production');
    if (!env.FOYER_BASE_URL) problems.push('FOYER_BASE_URL: required in production');
    // Without it invitation mail could only go to the development mailbox, which production does not have.
    if (!env.FOYER_SMTP_URL) problems.push('FOYER_SMTP_URL: required in production');
    if (
      env.FOYER_BASE_URL?.toLowerCase().startsWith('http://') &&
      !(parsed.success && parsed.data.FOYER_ALLOW_HTTP_BASE_URL)
    ) {
      problems.push(
        'FOYER_BASE_URL: must be https:// in production (set FOYER_ALLOW_HTTP_BASE_URL=true to accept http://)',
      );
    }
  }
  // Node measures the request timeout from the same start as the headers one: it must be the longer.
  if (
    parsed.success &&
    parsed.data.FOYER_HTTP_HEADERS_TIMEOUT_MS > parsed.data.FOYER_HTTP_REQUEST_TIMEOUT_MS
  ) {
    problems.push('FOYER_HTTP_HEADERS_TIMEOUT_MS: must not exceed FOYER_HTTP_REQUEST_TIMEOUT_MS');
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
  const e = parsed.data;
  const baseUrl = (e.FOYER_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    env: e.FOYER_ENV,
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    database: {
      url: e.FOYER_DATABASE_URL,
      dialect: e.FOYER_DATABASE_URL.startsWith('sqlite:') ? 'sqlite' : 'postgres',
    },
    smtpUrl: e.FOYER_SMTP_URL,
    mailFrom: e.FOYER_MAIL_FROM ?? `no-reply@${e.FOYER_DOMAIN_SUFFIX}`,
    secret: e.FOYER_SECRET,
    domainSuffix: e.FOYER_DOMAIN_SUFFIX.toLowerCase(),
    trustProxy: e.FOYER_TRUST_PROXY,
    allowHttpBaseUrl: e.FOYER_ALLOW_HTTP_BASE_URL,
    metricsToken: e.FOYER_METRICS_TOKEN,
    keyRotationGraceSeconds: e.FOYER_KEY_ROTATION_GRACE_SECONDS,
    googleIssuer: (e.FOYER_GOOGLE_ISSUER ?? 'https://accounts.google.com').replace(/\/+$/, ''),
    logLevel: e.FOYER_LOG_LEVEL,
    dataDir: e.FOYER_DATA_DIR,
    bulkJobLeaseSeconds: e.FOYER_BULK_LEASE_SECONDS,
    rateLimits: {
      invitations: { limit: e.FOYER_INVITE_RATE_LIMIT, windowSeconds: e.FOYER_INVITE_RATE_WINDOW_SECONDS },
      api: { limit: e.FOYER_API_RATE_LIMIT, windowSeconds: 5 },
      invitationsPerCaller: {
        limit: e.FOYER_INVITE_RATE_LIMIT_PER_CALLER ?? e.FOYER_INVITE_RATE_LIMIT,
        windowSeconds: e.FOYER_INVITE_RATE_WINDOW_SECONDS,
      },
      apiPerCaller: { limit: e.FOYER_API_RATE_LIMIT_PER_CALLER ?? e.FOYER_API_RATE_LIMIT, windowSeconds: 5 },
      signInPerAddress: { limit: e.FOYER_SIGNIN_RATE_LIMIT, windowSeconds: 60 },
      tokenPerAddress: { limit: e.FOYER_TOKEN_RATE_LIMIT, windowSeconds: 5 },
    },
    accessTokenTtlSeconds: e.FOYER_ACCESS_TOKEN_TTL_SECONDS,
    http: {
      headersTimeoutMs: e.FOYER_HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.FOYER_HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: e.FOYER_HTTP_IDLE_TIMEOUT_MS,
      keepAliveTimeoutMs: e.FOYER_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnectionsPerClient: e.FOYER_HTTP_MAX_CONNECTIONS_PER_CLIENT,
    },
    bootstrap: {
      tenant: e.FOYER_BOOTSTRAP_TENANT,
      adminEmail: e.FOYER_BOOTSTRAP_ADMIN_EMAIL,
      adminPassword: e.FOYER_BOOTSTRAP_ADMIN_PASSWORD,
      clientId: e.FOYER_BOOTSTRAP_CLIENT_ID,
      clientSecret: e.FOYER_BOOTSTRAP_CLIENT_SECRET,
    },
  } satisfies Config);
}
