import type { Services } from '../app/services.js';
import { authorize } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import type { Executor } from '../db/executor.js';
import { FoyerError } from '../errors/catalogue.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { failureReasonFor } from './failures.js';
import { type SignInEntry, signInEntry, toSignInResource } from './schemas.js';
import { findSignIn, insertSignIn, signInPage } from './store.js';

/**
 * Writes one sign-in attempt to the resource tenant's log. Pass the caller's transaction as `executor` when the
 * attempt changes state too (a redemption), so the change and its record commit together; otherwise
 * `services.db`. A malformed entry is a programming error and throws; nothing is written.
 */
export async function recordSignIn(
  executor: Executor,
  services: Services,
  entry: SignInEntry,
): Promise<string> {
  const parsed = signInEntry.safeParse(entry);
  if (!parsed.success) {
    throw new FoyerError(
      'internal',
      `Invalid sign-in log entry: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  const id = services.ids.objectId();
  await insertSignIn(executor, e.tenantId, {
    id,
    created_at: services.clock.now().toISOString(),
    user_id: e.userId,
    user_principal_name: e.userPrincipalName,
    user_display_name: e.userDisplayName,
    app_id: e.appId,
    app_display_name: e.appDisplayName,
    ip_address: e.ipAddress,
    client_app_used: e.clientAppUsed,
    correlation_id: e.correlationId,
    result: e.result,
    error_code: e.errorCode,
    failure_reason: e.result === 'success' ? null : (e.failureReason ?? failureReasonFor(e.errorCode)),
    additional_details: e.additionalDetails ?? null,
    home_tenant_id: e.homeTenantId,
    cross_tenant_access_type: e.crossTenantAccessType,
    authentication_method: e.authenticationMethod,
    incoming_token_type: e.incomingTokenType,
    is_interactive: e.isInteractive ? 1 : 0,
    authentication_requirement: e.authenticationRequirement,
    mfa_source: e.mfaSource,
    mfa_method: e.mfaMethod,
  });
  return id;
}

/** Reading the log is an audit-log read: AuditLog.Read.All, or Directory.Read(Write).All, as for directoryAudits. */
export async function listSignIns(services: Services, principal: Principal, options: QueryOptions) {
  authorize(principal, 'readAuditLogs');
  const page = await signInPage(services.db, principal.tenantId, options);
  return { ...page, items: page.items.map(toSignInResource) };
}

export async function getSignIn(services: Services, principal: Principal, id: string) {
  authorize(principal, 'readAuditLogs');
  const row = await findSignIn(services.db, principal.tenantId, id);
  if (!row) throw new FoyerError('notFound', `Resource '${id}' does not exist.`);
  return toSignInResource(row);
}
