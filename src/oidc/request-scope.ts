import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one request to a provider learns along the way and later steps reuse: the permissions read while
 * authenticating a client serve its token's `roles` claim, so a token request costs one query, not two.
 * Entered by the plugin around each hand-off to oidc-provider; outside one, every lookup goes to the database.
 */
export interface RequestScope {
  /** client id → the application permissions read with its secret. */
  clientRoles: Map<string, string[]>;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
