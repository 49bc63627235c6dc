import { FoyerError } from '../errors/catalogue.js';
import { internalHostReason, publicLookup } from '../platform/public-address.js';

/**
 * Production refuses a webhook endpoint whose host is, or resolves to, a non-public address (request forgery).
 * Checked when the endpoint is registered, and again on every connection (`publicLookup`), since DNS can change
 * in between.
 */
export async function assertPublicHost(hostname: string): Promise<void> {
  const refused = await internalHostReason(hostname);
  if (refused) {
    throw new FoyerError('invalidValue', `url: ${refused}; webhooks must reach a public address.`);
  }
}

export const safeLookup = publicLookup;
