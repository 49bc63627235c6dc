import { z } from 'zod';
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
  FOYER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FOYER_DATA_DIR: z.string().default('./data'),
  FOYER_INVITE_RATE_LIMIT: z.coerce.number().int().min(0).default(150),
  FOYER_INVITE_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(5),
  FOYER_API_RATE_LIMIT: z.coerce.number().int().min(0).default(3000),
  FOYER_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(3600),
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
  logLevel: string;
  dataDir: string;
  rateLimits: {
    invitations: { limit: number; windowSeconds: number };
    api: { limit: number; windowSeconds: number };
  };
  accessTokenTtlSeconds: number;
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
    logLevel: e.FOYER_LOG_LEVEL,
    dataDir: e.FOYER_DATA_DIR,
    rateLimits: {
      invitations: { limit: e.FOYER_INVITE_RATE_LIMIT, windowSeconds: e.FOYER_INVITE_RATE_WINDOW_SECONDS },
      api: { limit: e.FOYER_API_RATE_LIMIT, windowSeconds: 5 },
    },
    accessTokenTtlSeconds: e.FOYER_ACCESS_TOKEN_TTL_SECONDS,
    bootstrap: {
      tenant: e.FOYER_BOOTSTRAP_TENANT,
      adminEmail: e.FOYER_BOOTSTRAP_ADMIN_EMAIL,
      adminPassword: e.FOYER_BOOTSTRAP_ADMIN_PASSWORD,
      clientId: e.FOYER_BOOTSTRAP_CLIENT_ID,
      clientSecret: e.FOYER_BOOTSTRAP_CLIENT_SECRET,
    },
  } satisfies Config);
}
