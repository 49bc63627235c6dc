import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('HTTP limits configuration', () => {
  it('has bounded defaults', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      keepAliveTimeoutMs: 72_000,
      maxConnectionsPerClient: 128,
    });
  });

  it('refuses a headers timeout longer than the request timeout, and a disabled one', () => {
    expect(() =>
      loadConfig({ FOYER_HTTP_HEADERS_TIMEOUT_MS: '20000', FOYER_HTTP_REQUEST_TIMEOUT_MS: '10000' }),
    ).toThrow(/FOYER_HTTP_HEADERS_TIMEOUT_MS: must not exceed FOYER_HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ FOYER_HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(ConfigError);
  });
});
