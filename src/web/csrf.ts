import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { hashSecret, secretMatches } from '../platform/secrets.js';
import { cookieOptions } from './cookies.js';

/**
 * CSRF tokens for every form (OWASP "signed double-submit cookie"): the browser holds a random id in an
 * HttpOnly cookie, each form carries its keyed hash. Another site can make the browser post, but cannot read
 * the page to learn the token.
 */
const BROWSER_COOKIE = 'foyer_browser';

export function csrfToken(services: Services, request: FastifyRequest, reply: FastifyReply): string {
  let browser = request.cookies[BROWSER_COOKIE];
  if (!browser || browser.length > 100) {
    browser = services.ids.token(24);
    reply.setCookie(BROWSER_COOKIE, browser, cookieOptions(services.config, 400 * 24 * 3600));
    // Visible to later code in this request (a page rendered after a redirect-less POST).
    request.cookies[BROWSER_COOKIE] = browser;
  }
  return hashSecret(`csrf:${browser}`, services.config.secret);
}

export function assertCsrf(services: Services, request: FastifyRequest, token: unknown): void {
  const browser = request.cookies[BROWSER_COOKIE];
  const valid =
    typeof token === 'string' &&
    typeof browser === 'string' &&
    browser.length <= 100 &&
    secretMatches(`csrf:${browser}`, token, services.config.secret);
  if (!valid) throw new FoyerError('csrfFailed', 'The form token is missing or does not match this browser.');
}
