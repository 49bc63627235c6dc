import type { Transaction } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Executor } from '../db/executor.js';
import { prepared } from '../db/prepared.js';
import type { Database } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import { type B2bPolicyDocument, b2bPolicyDocument, defaultB2bPolicy, domainRefusal } from './b2b.js';
import {
  type AuthorizationPolicyDocument,
  authorizationPolicyDocument,
  defaultAuthorizationPolicy,
} from './schemas.js';
import { type PolicyType, readPolicy, readPolicyForUpdate, writePolicy } from './store.js';

interface PolicyDocuments {
  authorizationPolicy: AuthorizationPolicyDocument;
  b2bManagementPolicy: B2bPolicyDocument;
}

const policyKinds = {
  authorizationPolicy: { schema: authorizationPolicyDocument, defaults: defaultAuthorizationPolicy },
  b2bManagementPolicy: { schema: b2bPolicyDocument, defaults: defaultB2bPolicy },
} as const;

/**
 * A stored policy document (or none: the tenant never changed it) as the policy in force. Stored documents
 * are merged over defaults so a policy written by an older version gains new fields.
 */
export function parsePolicy<T extends PolicyType>(type: T, stored: unknown): PolicyDocuments[T] {
  const { schema, defaults } = policyKinds[type];
  return schema.parse({ ...defaults, ...(stored as object | undefined) }) as PolicyDocuments[T];
}

/**
 * Read-modify-write of one policy inside the caller's transaction. The row is locked before it is read, so
 * concurrent PATCHes of different properties apply one after the other instead of one overwriting the other.
 */
async function updatePolicy<T extends PolicyType>(
  trx: Transaction<Database>,
  dialect: Dialect,
  tenantId: string,
  type: T,
  patch: Partial<PolicyDocuments[T]>,
  now: string,
): Promise<{ before: PolicyDocuments[T]; after: PolicyDocuments[T] }> {
  const { schema, defaults } = policyKinds[type];
  const before = parsePolicy(type, await readPolicyForUpdate(trx, dialect, tenantId, type, defaults, now));
  const parsed = schema.safeParse({ ...before, ...patch });
  if (!parsed.success) {
    throw new FoyerError(
      'invalidValue',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const after = parsed.data as PolicyDocuments[T];
  await writePolicy(trx, tenantId, type, after, now);
  return { before, after };
}

export async function getAuthorizationPolicy(
  db: Executor,
  tenantId: string,
): Promise<AuthorizationPolicyDocument> {
  return parsePolicy('authorizationPolicy', await readPolicy(db, tenantId, 'authorizationPolicy'));
}

export function updateAuthorizationPolicy(
  trx: Transaction<Database>,
  dialect: Dialect,
  tenantId: string,
  patch: Partial<AuthorizationPolicyDocument>,
  now: string,
): Promise<{ before: AuthorizationPolicyDocument; after: AuthorizationPolicyDocument }> {
  return updatePolicy(trx, dialect, tenantId, 'authorizationPolicy', patch, now);
}

export async function getB2bPolicy(db: Executor, tenantId: string): Promise<B2bPolicyDocument> {
  return parsePolicy('b2bManagementPolicy', await readPolicy(db, tenantId, 'b2bManagementPolicy'));
}

export function updateB2bPolicy(
  trx: Transaction<Database>,
  dialect: Dialect,
  tenantId: string,
  patch: Partial<B2bPolicyDocument>,
  now: string,
): Promise<{ before: B2bPolicyDocument; after: B2bPolicyDocument }> {
  return updatePolicy(trx, dialect, tenantId, 'b2bManagementPolicy', patch, now);
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
const invitationPolicies = prepared<{ policy_type: string; document: string }, [string]>(1, (db, tenantId) =>
  db
    .selectFrom('policies')
    .select(['policy_type', 'document'])
    .where('tenant_id', '=', tenantId)
    .where('policy_type', 'in', ['authorizationPolicy', 'b2bManagementPolicy']),
);

export async function getTenantPolicies(db: Executor, tenantId: string): Promise<TenantPolicies> {
  const rows = await invitationPolicies(db, tenantId);
  const stored = (type: PolicyType) => rows.find((r) => r.policy_type === type)?.document ?? null;
  return policiesOf(stored('authorizationPolicy'), stored('b2bManagementPolicy'));
}

/** Both policies in force from their stored texts (null: the tenant never changed that one). */
export function policiesOf(authorization: string | null, b2b: string | null): TenantPolicies {
  return {
    authorization: parsedOnce('authorizationPolicy', authorization ?? undefined),
    b2b: parsedOnce('b2bManagementPolicy', b2b ?? undefined),
  };
}

/**
 * Every invitation reads both policies, and parsing them (JSON, then the zod schema) cost more than reading
 * them. The parse of a given stored text never changes, so it is kept, keyed by that text: whatever the row
 * holds now (changed here or by another instance) is what the next read parses or finds. Frozen, since every
 * caller shares it. Bounded: documents are few (most tenants keep the defaults, one key for all of them).
 */
const parsedPolicies = new Map<string, unknown>();
const PARSED_POLICIES_MAX = 1_000;

function parsedOnce<T extends PolicyType>(type: T, document: string | undefined): PolicyDocuments[T] {
  const key = `${type}\u0000${document ?? ''}`;
  let parsed = parsedPolicies.get(key) as PolicyDocuments[T] | undefined;
  if (!parsed) {
    parsed = deepFreeze(parsePolicy(type, document === undefined ? undefined : JSON.parse(document)));
    if (parsedPolicies.size >= PARSED_POLICIES_MAX) parsedPolicies.clear();
    parsedPolicies.set(key, parsed);
  }
  return parsed;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
