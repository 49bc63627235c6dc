import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { publish } from '../audit/publish.js';
import { authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { invalidatePrincipals } from '../auth/resolve.js';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import type { B2bPolicyDocument } from './b2b.js';
import type { AuthorizationPolicyDocument } from './schemas.js';
import {
  getAuthorizationPolicy,
  getB2bPolicy,
  updateAuthorizationPolicy,
  updateB2bPolicy,
} from './service.js';
import type { PolicyType } from './store.js';

type Executor = Services['db'];

export interface PolicyDefinition<Doc extends object> {
  type: PolicyType;
  /** The domain event a change publishes (its audit activity name differs per policy). */
  event: string;
  displayName: string;
  description?: string;
  get(db: Executor, tenantId: string): Promise<Doc>;
  /** Runs in the PATCH's transaction and locks the policy row until it commits. */
  update(
    trx: Transaction<Database>,
    dialect: Dialect,
    tenantId: string,
    patch: Partial<Doc>,
    now: string,
  ): Promise<{ before: Doc; after: Doc }>;
}

export const authorizationPolicyDefinition: PolicyDefinition<AuthorizationPolicyDocument> = {
  type: 'authorizationPolicy',
  event: 'policy.updated',
  displayName: 'Authorization Policy',
  description: 'Used to manage authorization related settings across the company.',
  get: getAuthorizationPolicy,
  update: updateAuthorizationPolicy,
};

export const b2bPolicyDefinition: PolicyDefinition<B2bPolicyDocument> = {
  type: 'b2bManagementPolicy',
  event: 'policy.b2b.updated',
  displayName: 'B2B Management Policy',
  get: getB2bPolicy,
  update: updateB2bPolicy,
};

/** One policy change inside the caller's transaction, audited with every changed property's old and new value. */
export async function patchPolicyIn<Doc extends object>(
  trx: Transaction<Database>,
  services: Services,
  principal: Principal,
  definition: PolicyDefinition<Doc>,
  body: Partial<Doc>,
  correlationId: string,
): Promise<void> {
  authorize(principal, 'writeAuthorizationPolicy');
  const now = services.clock.now().toISOString();
  const { before, after } = await definition.update(trx, services.dialect, principal.tenantId, body, now);
  const changed = Object.keys(body) as Array<keyof Doc>;
  await publish(trx, services, {
    type: definition.event,
    tenantId: principal.tenantId,
    actor: actorOf(principal),
    targets: [
      {
        id: definition.type,
        type: 'Policy',
        displayName: definition.displayName,
        modifiedProperties: changed.map((key) => ({
          displayName: String(key),
          oldValue: JSON.stringify(before[key]),
          newValue: JSON.stringify(after[key]),
        })),
      },
    ],
    correlationId,
  });
}

export interface CollaborationSettings {
  authorization: AuthorizationPolicyDocument;
  b2b: B2bPolicyDocument;
  /** A tag of both documents' content: a save names the version it edited (an ETag, compared under lock). */
  version: string;
}

const versionOf = (authorization: unknown, b2b: unknown) =>
  createHash('sha256')
    .update(JSON.stringify([authorization, b2b]))
    .digest('base64url')
    .slice(0, 22);

export async function readCollaborationSettings(
  services: Services,
  principal: Principal,
): Promise<CollaborationSettings> {
  authorize(principal, 'readPolicies');
  const [authorization, b2b] = await Promise.all([
    getAuthorizationPolicy(services.db, principal.tenantId),
    getB2bPolicy(services.db, principal.tenantId),
  ]);
  return { authorization, b2b, version: versionOf(authorization, b2b) };
}

/**
 * Saves both collaboration policies at once, only if they are still the version the editor started from: two
 * administrators editing at the same time cannot overwrite each other unknowingly (the second gets a 412).
 * Both rows are locked before the comparison, so the check and the write are one step.
 */
export async function saveCollaborationSettings(
  services: Services,
  principal: Principal,
  input: {
    version: string;
    authorization: Partial<AuthorizationPolicyDocument>;
    b2b: Partial<B2bPolicyDocument>;
  },
  correlationId: string,
): Promise<void> {
  authorize(principal, 'writeAuthorizationPolicy');
  await services.db.transaction().execute(async (trx) => {
    const now = services.clock.now().toISOString();
    // A no-op update takes the locks (and creates missing rows) before the current content is compared.
    const { after: authorization } = await updateAuthorizationPolicy(
      trx,
      services.dialect,
      principal.tenantId,
      {},
      now,
    );
    const { after: b2b } = await updateB2bPolicy(trx, services.dialect, principal.tenantId, {}, now);
    if (versionOf(authorization, b2b) !== input.version) {
      throw new FoyerError(
        'preconditionFailed',
        'The settings were changed by someone else since they were read; read them again and reapply the change.',
      );
    }
    await patchPolicyIn(
      trx,
      services,
      principal,
      authorizationPolicyDefinition,
      input.authorization,
      correlationId,
    );
    await patchPolicyIn(trx, services, principal, b2bPolicyDefinition, input.b2b, correlationId);
  });
  invalidatePrincipals(services.db);
}
