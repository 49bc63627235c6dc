import type { Services } from '../app/services.js';
import type { Principal } from '../graph/principal.js';
import { findUser } from '../users/store.js';

/** Who sent an invitation, as the mail and the audit log show them. Stored with the invitation. */
export interface Inviter {
  kind: 'app' | 'user';
  id: string;
  displayName: string;
  mail: string | null;
}

export async function inviterOf(services: Services, principal: Principal): Promise<Inviter> {
  if (principal.kind === 'user') {
    const user = await findUser(services.db, principal.tenantId, principal.objectId);
    return {
      kind: 'user',
      id: principal.objectId,
      displayName: user?.display_name ?? principal.displayName ?? 'Someone',
      mail: user?.mail ?? null,
    };
  }
  const app = await services.db
    .selectFrom('applications')
    .select('display_name')
    .where('tenant_id', '=', principal.tenantId)
    .where('id', '=', principal.objectId)
    .executeTakeFirst();
  return {
    kind: 'app',
    id: principal.objectId,
    displayName: app?.display_name ?? principal.displayName ?? 'An application',
    mail: null,
  };
}
