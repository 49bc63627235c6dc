import { describe, expect, it } from 'vitest';
import { cookiesMustBeSecure } from '../../src/app/cookies.js';
import { loadConfig } from '../../src/config/index.js';

describe('cookiesMustBeSecure', () => {
  it('is true exactly when FOYER_BASE_URL is https, whatever the proxy trust', () => {
    expect(cookiesMustBeSecure(loadConfig({ FOYER_BASE_URL: 'https://id.example.com' }))).toBe(true);
    expect(cookiesMustBeSecure(loadConfig({ FOYER_BASE_URL: 'HTTPS://ID.example.com/' }))).toBe(true);
    expect(cookiesMustBeSecure(loadConfig({ FOYER_BASE_URL: 'http://id.example.com' }))).toBe(false);
    expect(cookiesMustBeSecure(loadConfig({}))).toBe(false);
    expect(
      cookiesMustBeSecure(loadConfig({ FOYER_BASE_URL: 'http://id.example.com', FOYER_TRUST_PROXY: 'true' })),
    ).toBe(false);
  });
});
