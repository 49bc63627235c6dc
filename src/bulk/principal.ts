import type { Services } from '../app/services.js';
import type { Principal } from '../auth/principal.js';
import { findApplicationStanding, findUserStanding } from '../auth/store.js';

/**
 * The rights a job runs with, read again from the directory (at each batch): never more than its creator had
 * when it started, and less when the creator lost some since (a permission revoked, a role removed, the
 * account disabled or deleted). Rows then fail with the invitation service's own 403, as the API would answer.
 */
export async function currentRights(services: Services, principal: Principal): Promise<Principal> {
  switch (principal.kind) {
    case 'operator':
      return principal;
    case 'app': {
      const app = await findApplicationStanding(services.db, principal.tenantId, principal.objectId);
      const granted = app?.permissions ?? [];
      return { ...principal, permissions: principal.permissions.filter((p) => granted.includes(p)) };
    }
    case 'user': {
      const user = await findUserStanding(services.db, principal.tenantId, principal.objectId);
      if (user?.account_enabled !== 1) return { ...principal, scopes: [], directoryRoles: [] };
      return { ...principal, directoryRoles: user.roles, userType: user.user_type };
    }
  }
}
