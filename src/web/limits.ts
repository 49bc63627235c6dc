import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { isFoyerError } from '../errors/catalogue.js';
import { consume } from '../ratelimit/limiter.js';
import { sendErrorPage } from './errors.js';

/**
 * Requests that authenticate nobody — authorize, logout, the sign-in and redemption pages — are limited per
 * client address (FOYER_SIGNIN_RATE_LIMIT a minute), so one client cannot fill the database with interactions
 * and sessions. Over the limit, a person reads a page, with Retry-After.
 */
export async function limitSignIns(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  try {
    await consume(services, `signin:${request.ip}`, services.config.rateLimits.signInPerAddress);
    return false;
  } catch (error) {
    if (!isFoyerError(error) || error.key !== 'tooManyRequests') throw error;
    await sendErrorPage(reply, request, error);
    return true;
  }
}
