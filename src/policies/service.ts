import type { Executor } from '../db/executor.js';
import { FoyerError } from '../errors/catalogue.js';
import { type B2bPolicyDocument, b2bPolicyDocument, defaultB2bPolicy, domainRefusal } from './b2b.js';
import {
  type AuthorizationPolicyDocument,
  authorizationPolicyDocument,
  defaultAuthorizationPolicy,
} from './schemas.js';
import { readPolicy, writePolicy } from './store.js';

export async function getAuthorizationPolicy(
  db: Executor,
  tenantId: string,
): Promise<AuthorizationPolicyDocument> {
  const stored = await readPolicy(db, tenantId, 'authorizationPolicy');
  // Stored documents are merged over defaults so a policy written by an older version gains new fields.
  return authorizationPolicyDocument.parse({
    ...defaultAuthorizationPolicy,
    ...(stored as object | undefined),
  });
}

export async function updateAuthorizationPolicy(
  db: Executor,
  tenantId: string,
  patch: Partial<AuthorizationPolicyDocument>,
  now: string,
): Promise<{ before: AuthorizationPolicyDocument; after: AuthorizationPolicyDocument }> {
  const before = await getAuthorizationPolicy(db, tenantId);
  const after = authorizationPolicyDocument.parse({ ...before, ...patch });
  await writePolicy(db, tenantId, 'authorizationPolicy', after, now);
  return { before, after };
}

export async function getB2bPolicy(db: Executor, tenantId: string): Promise<B2bPolicyDocument> {
  const stored = await readPolicy(db, tenantId, 'b2bManagementPolicy');
  return b2bPolicyDocument.parse({ ...defaultB2bPolicy, ...(stored as object | undefined) });
}

export async function updateB2bPolicy(
  db: Executor,
  tenantId: string,
  patch: Partial<B2bPolicyDocument>,
  now: string,
): Promise<{ before: B2bPolicyDocument; after: B2bPolicyDocument }> {
  const before = await getB2bPolicy(db, tenantId);
  const parsed = b2bPolicyDocument.safeParse({ ...before, ...patch });
  if (!parsed.success) {
    throw new FoyerError(
      'invalidValue',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  await writePolicy(db, tenantId, 'b2bManagementPolicy', parsed.data, now);
  return { before, after: parsed.data };
}

/**
 * Throws when the tenant's domain policy refuses this address. Called at invitation time and again at
 * redemption (the policy may have changed while the invitation was pending).
 */
export async function assertInvitationDomainAllowed(
  db: Executor,
  tenantId: string,
  email: string,
): Promise<void> {
  const refusal = domainRefusal(await getB2bPolicy(db, tenantId), email);
  if (refusal) throw new FoyerError('invitationDomainNotAllowed', refusal);
}

export interface TenantPolicies {
  authorization: AuthorizationPolicyDocument;
  b2b: B2bPolicyDocument;
}

/** Both policies an invitation consults, in one read. */
export async function getTenantPolicies(db: Executor, tenantId: string): Promise<TenantPolicies> {
  const rows = await db
    .selectFrom('policies')
    .select(['policy_type', 'document'])
    .where('tenant_id', '=', tenantId)
    .where('policy_type', 'in', ['authorizationPolicy', 'b2bManagementPolicy'])
    .execute();
  const stored = (type: string) => {
    const row = rows.find((r) => r.policy_type === type);
    return row ? (JSON.parse(row.document) as object) : undefined;
  };
  return {
    authorization: authorizationPolicyDocument.parse({
      ...defaultAuthorizationPolicy,
      ...stored('authorizationPolicy'),
    }),
    b2b: b2bPolicyDocument.parse({ ...defaultB2bPolicy, ...stored('b2bManagementPolicy') }),
  };
}
