import { issuerOf } from '../platform/issuer.js';

/**
 * A person's home identity: what they proved at sign-in, before any tenant is involved (PRODUCT §4.3). A guest
 * object in a resource tenant is bound to one of these through its `identities` entry.
 */
export type HomeIdentity =
  /** A member account of a tenant on this instance. */
  | { kind: 'member'; tenantId: string; userId: string; email: string; name: string }
  /** An instance-level personal account. */
  | { kind: 'personal'; accountId: string; email: string; name: string }
  /** Whoever read the one-time passcode mailed to the address. */
  | { kind: 'mail'; email: string; name: string }
  /**
   * Whoever an OpenID Connect identity provider of a tenant signed in (issue 9): its issuer and `sub`. The address
   * counts (JIT, a guest added with it) only when the provider said it is verified.
   */
  | { kind: 'federated'; issuer: string; sub: string; email: string; emailVerified: boolean; name: string };

/** The key sessions are found by, so a password reset or a disabled account can end them all. */
export function subjectOf(identity: HomeIdentity): string {
  switch (identity.kind) {
    case 'member':
      return `member:${identity.tenantId}:${identity.userId}`;
    case 'personal':
      return `personal:${identity.accountId}`;
    case 'mail':
      return `mail:${identity.email.toLowerCase()}`;
    case 'federated':
      return `federated:${identity.issuer}:${identity.sub}`;
  }
}

/** PRODUCT §2 `idp`: the home tenant's issuer, `personal`, `mail` for the one-time passcode, or the IdP's issuer. */
export function idpOf(identity: HomeIdentity, baseUrl: string): string {
  switch (identity.kind) {
    case 'member':
      return issuerOf(baseUrl, identity.tenantId);
    case 'personal':
      return 'personal';
    case 'mail':
      return 'mail';
    case 'federated':
      return identity.issuer;
  }
}

/** The guest's `identities` entry for this home identity (Graph: federated sign-in, issuer, assigned id). */
export function bindingOf(identity: HomeIdentity, baseUrl: string) {
  const issuerAssignedId =
    identity.kind === 'member'
      ? identity.userId
      : identity.kind === 'personal'
        ? identity.accountId
        : identity.kind === 'federated'
          ? identity.sub
          : identity.email.toLowerCase();
  return { signInType: 'federated', issuer: idpOf(identity, baseUrl), issuerAssignedId } as const;
}

export const sameEmail = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
