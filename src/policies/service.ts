import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import {
  type AuthorizationPolicyDocument,
  authorizationPolicyDocument,
  defaultAuthorizationPolicy,
} from './schemas.js';
import { readPolicy, writePolicy } from './store.js';

type Executor = Kysely<Database> | Transaction<Database>;

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
