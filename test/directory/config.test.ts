import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const SECRET = 's'.repeat(40);

/** The ConfigError loadConfig throws for `env` (fails the test when it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** The variables a ConfigError message names, one per line ("  NAME: problem"). */
const named = (error: ConfigError) =>
  error.message
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(':')[0]);

describe('loadConfig', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      baseUrl: 'http://localhost:3000',
      database: { url: 'sqlite:./data/foyer.db', dialect: 'sqlite' },
      domainSuffix: 'foyer.localhost',
      trustProxy: false,
      secret: undefined,
      mailFrom: 'no-reply@foyer.localhost',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      FOYER_ENV: 'production',
      PORT: '8080',
      FOYER_BASE_URL: 'https://id.example.com/',
      FOYER_DATABASE_URL: 'postgres://foyer@db.internal:5432/foyer',
      FOYER_SMTP_URL: 'smtp://mail.internal:25',
      FOYER_MAIL_FROM: 'id@example.com',
      FOYER_SECRET: SECRET,
      FOYER_DOMAIN_SUFFIX: 'ID.Example.Com',
      FOYER_TRUST_PROXY: 'yes',
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      baseUrl: 'https://id.example.com',
      database: { url: 'postgres://foyer@db.internal:5432/foyer', dialect: 'postgres' },
      smtpUrl: 'smtp://mail.internal:25',
      mailFrom: 'id@example.com',
      secret: SECRET,
      domainSuffix: 'id.example.com',
      trustProxy: 1,
    });
    expect(loadConfig({ FOYER_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ FOYER_DATABASE_URL: 'postgresql://x@y/z' }).database.dialect).toBe('postgres');
  });

  it('FOYER_TRUST_PROXY is false, one hop for true, a hop count, or proxy addresses and CIDRs, never every hop', () => {
    const trust = (value: string) => loadConfig({ FOYER_TRUST_PROXY: value }).trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('true')).toBe(1);
    expect(trust('1')).toBe(1);
    expect(trust('3')).toBe(3);
    expect(trust('10.0.0.0/8, 192.0.2.1,fd00::/8, loopback')).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['maybe', '10.0.0.0/33', '10.0.0.1/8/2', 'proxy.internal', ',']) {
      const error = configError({ FOYER_TRUST_PROXY: bad });
      expect(named(error), bad).toEqual(['FOYER_TRUST_PROXY']);
    }
  });

  it('treats empty optional variables as unset (a blank line in .env)', () => {
    expect(loadConfig({ FOYER_BASE_URL: '', FOYER_SECRET: '', FOYER_SMTP_URL: '' })).toMatchObject({
      baseUrl: 'http://localhost:3000',
      secret: undefined,
      smtpUrl: undefined,
    });
  });

  it.each([['abc'], ['70000'], ['-1'], ['80.5']])('a bad PORT (%s) is a ConfigError naming PORT', (port) => {
    const error = configError({ PORT: port });
    expect(error.message).toMatch(/^Invalid configuration:\n/);
    expect(named(error)).toEqual(['PORT']);
  });

  it.each([['mysql://root@localhost/foyer'], ['./data/foyer.db'], ['postgres:/missing-slashes']])(
    'a bad database URL (%s) is a ConfigError that says what is expected',
    (url) => {
      const error = configError({ FOYER_DATABASE_URL: url });
      expect(named(error)).toEqual(['FOYER_DATABASE_URL']);
      expect(error.message).toMatch(/sqlite:.*postgres:\/\//);
    },
  );

  it('production without FOYER_SECRET is refused', () => {
    const error = configError({
      FOYER_ENV: 'production',
      FOYER_BASE_URL: 'https://id.example.com',
      FOYER_SMTP_URL: 'smtp://mail:25',
    });
    expect(named(error)).toEqual(['FOYER_SECRET']);
    expect(error.message).toMatch(/FOYER_SECRET: required in production/);
  });

  it('production without FOYER_BASE_URL is refused', () => {
    const error = configError({
      FOYER_ENV: 'production',
      FOYER_SECRET: SECRET,
      FOYER_SMTP_URL: 'smtp://mail:25',
    });
    expect(named(error)).toEqual(['FOYER_BASE_URL']);
  });

  it('production without FOYER_SMTP_URL is refused (there is no development mailbox there)', () => {
    const error = configError({
      FOYER_ENV: 'production',
      FOYER_SECRET: SECRET,
      FOYER_BASE_URL: 'https://id.example.com',
    });
    expect(named(error)).toEqual(['FOYER_SMTP_URL']);
  });

  it('production refuses an http:// FOYER_BASE_URL unless FOYER_ALLOW_HTTP_BASE_URL says so', () => {
    const production = {
      FOYER_ENV: 'production',
      FOYER_SECRET: SECRET,
      FOYER_SMTP_URL: 'smtp://mail:25',
      FOYER_BASE_URL: 'http://id.example.com',
    };
    const error = configError(production);
    expect(named(error)).toEqual(['FOYER_BASE_URL']);
    expect(error.message).toMatch(/https:\/\/ in production.*FOYER_ALLOW_HTTP_BASE_URL/);
    expect(loadConfig({ ...production, FOYER_ALLOW_HTTP_BASE_URL: 'true' }).baseUrl).toBe(
      'http://id.example.com',
    );
    // Development keeps its http://localhost default.
    expect(loadConfig({ FOYER_BASE_URL: 'http://localhost:3000' }).baseUrl).toBe('http://localhost:3000');
  });

  it('lists every problem in one message, including the production requirements', () => {
    const error = configError({
      FOYER_ENV: 'production',
      PORT: 'eighty',
      FOYER_DATABASE_URL: 'mysql://x',
      FOYER_TRUST_PROXY: 'maybe',
    });
    expect(named(error).sort()).toEqual(
      [
        'FOYER_BASE_URL',
        'FOYER_DATABASE_URL',
        'FOYER_SECRET',
        'FOYER_SMTP_URL',
        'FOYER_TRUST_PROXY',
        'PORT',
      ].sort(),
    );
    expect(error.message.split('\n')[0]).toBe('Invalid configuration:');
  });

  it('refuses a short secret, a non-http base URL, a bad SMTP URL, a bad domain suffix, a bad log level', () => {
    const error = configError({
      FOYER_SECRET: 'short',
      FOYER_BASE_URL: 'ftp://id.example.com',
      FOYER_SMTP_URL: 'http://mail.example.com',
      FOYER_DOMAIN_SUFFIX: 'localhost',
      FOYER_LOG_LEVEL: 'loud',
      FOYER_ENV: 'staging',
    });
    expect(named(error).sort()).toEqual(
      [
        'FOYER_BASE_URL',
        'FOYER_DOMAIN_SUFFIX',
        'FOYER_ENV',
        'FOYER_LOG_LEVEL',
        'FOYER_SECRET',
        'FOYER_SMTP_URL',
      ].sort(),
    );
    expect(error.message).toMatch(/FOYER_SECRET: must be at least 32 characters/);
  });

  it('never echoes a secret value in its message', () => {
    const error = configError({
      FOYER_SECRET: 'tiny-secret-value',
      FOYER_BOOTSTRAP_CLIENT_SECRET: 'also-short',
    });
    expect(error.message).not.toContain('tiny-secret-value');
    expect(error.message).not.toContain('also-short');
  });
});
