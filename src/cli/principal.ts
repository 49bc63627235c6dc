import type { Principal } from '../graph/principal.js';

/** The instance operator acting through the CLI: every permission, recorded in audit logs as "Foyer CLI". */
export function operatorPrincipal(tenantId: string): Principal {
  return {
    tenantId,
    kind: 'app',
    objectId: '00000000-0000-0000-0000-000000000000',
    appId: 'foyer-cli',
    permissions: ['Directory.ReadWrite.All', 'User.Invite.All', 'User.ReadWrite.All'],
    directoryRoles: ['Global Administrator'],
    displayName: 'Foyer CLI',
    ipAddress: '127.0.0.1',
  };
}
