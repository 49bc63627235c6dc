import type { Services } from '../app/services.js';
import type { Executor } from '../db/executor.js';
import { type SignInFailure, signInFailures } from './failures.js';
import type { AuthenticationMethod, MfaSource } from './schemas.js';
import { recordSignIn } from './service.js';

/**
 * What a sign-in or redemption page knows about an attempt. The pages call recordSignInAttempt with this and
 * never see the log's columns, codes or enums.
 */
export interface SignInAttempt {
  /** The resource tenant: the one being signed in to. */
  tenantId: string;
  /** The request the attempt arrived on (a FastifyRequest fits): its client ip and request id. */
  request: { ip: string; id: string };
  /** Who tried, as far as known. For an unknown account, give only the name that was typed. */
  user?: {
    id?: string | null;
    userPrincipalName?: string | null;
    displayName?: string | null;
    userType?: 'Member' | 'Guest';
    /** The tenant of the identity a guest signed in with, when it is a tenant on this instance. */
    homeTenantId?: string | null;
  };
  /** The application the sign-in is for (the authorize request's client), when there is one. */
  app?: { appId: string; displayName?: string | null };
  method: AuthenticationMethod;
  /** 'success', or what went wrong, by name (see failures.ts for the codes each name records). */
  outcome: 'success' | SignInFailure;
  /** Ties several requests of one flow together (e.g. the OIDC interaction id); defaults to the request id. */
  correlationId?: string;
  /** Shown as status.additionalDetails. Never a password, passcode, ticket or token. */
  detail?: string;
  /** Whether the tenant required MFA and how it was met (absent: not required). */
  mfa?: MfaLogDetail;
}

/** How a sign-in met the resource tenant's MFA requirement (src/mfa): done here, or accepted from the home tenant. */
export interface MfaLogDetail {
  source: MfaSource;
  /** The second factor used here; absent when the home tenant's MFA was accepted. */
  method?: 'totp' | 'recoveryCode';
}

/** Records an interactive browser sign-in attempt; returns the log entry's id. */
export function recordSignInAttempt(
  services: Services,
  attempt: SignInAttempt,
  executor: Executor = services.db,
): Promise<string> {
  const { user, app } = attempt;
  const failure = attempt.outcome === 'success' ? undefined : signInFailures[attempt.outcome];
  const homeTenantId = user?.homeTenantId ?? null;
  // A guest, or anyone whose home tenant is another one, is B2B collaboration in the resource tenant's log.
  const crossTenant =
    user?.userType === 'Guest' || (homeTenantId !== null && homeTenantId !== attempt.tenantId);
  return recordSignIn(executor, services, {
    tenantId: attempt.tenantId,
    userId: user?.id ?? null,
    userPrincipalName: user?.userPrincipalName ?? null,
    userDisplayName: user?.displayName ?? null,
    appId: app?.appId ?? null,
    appDisplayName: app?.displayName ?? null,
    ipAddress: attempt.request.ip,
    clientAppUsed: 'Browser',
    result: failure?.result ?? 'success',
    errorCode: failure?.errorCode ?? 0,
    failureReason: failure?.failureReason ?? null,
    additionalDetails: attempt.detail ?? null,
    homeTenantId,
    crossTenantAccessType: crossTenant ? 'b2bCollaboration' : 'none',
    authenticationMethod: attempt.method,
    incomingTokenType: 'none',
    isInteractive: true,
    correlationId: attempt.correlationId ?? attempt.request.id,
    ...(attempt.mfa && {
      authenticationRequirement: 'multiFactorAuthentication',
      mfaSource: attempt.mfa.source,
      mfaMethod: attempt.mfa.method ?? null,
    }),
  });
}
