import type { FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { recordSignIn } from '../metrics/registry.js';
import type { HomeIdentity } from '../sessions/identity.js';
import { type MfaLogDetail, recordSignInAttempt, type SignInAttempt } from '../signins/attempts.js';
import type { TenantRow } from '../tenants/store.js';
import type { UserRow } from '../users/store.js';

/** What the sign-in log needs from a flow: whose log it is and which app asked. */
export interface LoggedFlow {
  /** Null outside any tenant (/signup): there is no tenant's log to write to. */
  tenant: TenantRow | null;
  app?: { appId: string; displayName: string };
}

/** The method a session's `amr` stands for in the sign-in log. */
export function methodOf(amr: readonly string[]): SignInAttempt['method'] {
  return amr.includes('otp') ? 'emailOtp' : amr.includes('fed') ? 'federated' : 'password';
}

/** The person as the log shows them: the tenant's user when known, else the address that was typed. */
function who(user: UserRow | undefined, identity: HomeIdentity | undefined, typed: string | undefined) {
  if (user) {
    return {
      id: user.id,
      userPrincipalName: user.user_principal_name,
      displayName: user.display_name,
      userType: user.user_type,
      homeTenantId: identity?.kind === 'member' ? identity.tenantId : null,
    };
  }
  const name = identity?.email ?? typed;
  return name
    ? { userPrincipalName: name, homeTenantId: identity?.kind === 'member' ? identity.tenantId : null }
    : undefined;
}

/** One entry of the resource tenant's sign-in log (GET /v1.0/auditLogs/signIns) for a page's outcome. */
export function logSignIn(
  services: Services,
  request: FastifyRequest,
  flow: LoggedFlow,
  input: {
    method: SignInAttempt['method'];
    outcome: SignInAttempt['outcome'];
    user?: UserRow;
    identity?: HomeIdentity;
    email?: string;
    correlationId?: string;
    /** How the tenant's MFA requirement was met (src/mfa), when it had one. */
    mfa?: MfaLogDetail;
  },
): Promise<string | undefined> {
  const { tenant } = flow;
  if (!tenant) return Promise.resolve(undefined);
  const user = who(input.user, input.identity, input.email);
  recordSignIn(
    services.metrics,
    input.outcome === 'success' ? 'success' : input.outcome === 'accountLocked' ? 'blocked' : 'failure',
  );
  return recordSignInAttempt(services, {
    tenantId: tenant.id,
    request,
    method: input.method,
    outcome: input.outcome,
    ...(user && { user }),
    ...(flow.app && { app: flow.app }),
    ...(input.correlationId && { correlationId: input.correlationId }),
    ...(input.mfa && { mfa: input.mfa }),
  });
}
