import type { Services } from '../app/services.js';
import type { Principal } from '../auth/principal.js';
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
  // The operator sends like an application (no Reply-To, no custom message), under its channel's name.
  if (principal.kind === 'operator') {
    return { kind: 'app', id: principal.channel, displayName: principal.displayName ?? 'Foyer', mail: null };
  }
  // The token carries the application's display name (app_displayname); read it only when it does not.
  const displayName =
    principal.displayName ??
    (
      await services.db
        .selectFrom('applications')
        .select('display_name')
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', principal.objectId)
        .executeTakeFirst()
    )?.display_name ??
    'An application';
  return { kind: 'app', id: principal.objectId, displayName, mail: null };
}
