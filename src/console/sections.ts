import { can } from '../auth/guards.js';
import type { Operation } from '../auth/permissions.js';
import type { UserPrincipal } from '../auth/principal.js';
import type { PortalDictionary } from '../web/i18n/index.js';

/**
 * The console's sections: where each lives, its label, and the operation (src/auth) that opens it. The same
 * `can()` the services use decides which entries a person sees; the services check again on every action.
 * Bulk invitations, identity providers and webhooks add their pages under src/console/pages/ and an entry here.
 */
export interface Section {
  key: string;
  path: string;
  label: keyof PortalDictionary;
  /** Every one of these must be allowed. */
  needs: Operation[];
}

export const sections: Section[] = [
  { key: 'users', path: '/users', label: 'navUsers', needs: ['writeUsers', 'readUsers'] },
  { key: 'invite', path: '/invite', label: 'navInvite', needs: ['manageInvitations'] },
  { key: 'bulk', path: '/bulk', label: 'navBulk', needs: ['manageInvitations'] },
  { key: 'groups', path: '/groups', label: 'navGroups', needs: ['writeGroups'] },
  { key: 'audit', path: '/audit', label: 'navAudit', needs: ['readAuditLogs'] },
  { key: 'signins', path: '/sign-ins', label: 'navSignIns', needs: ['readAuditLogs'] },
  { key: 'usage', path: '/usage', label: 'navUsage', needs: ['readAuditLogs', 'readUsers'] },
  { key: 'settings', path: '/settings', label: 'navSettings', needs: ['writeAuthorizationPolicy'] },
  { key: 'branding', path: '/branding', label: 'navBranding', needs: ['writeOrganization'] },
  { key: 'apps', path: '/apps', label: 'navApps', needs: ['writeApplications'] },
  {
    key: 'idps',
    path: '/identity-providers',
    label: 'navIdentityProviders',
    needs: ['readIdentityProviders', 'writeIdentityProviders'],
  },
  { key: 'webhooks', path: '/webhooks', label: 'navWebhooks', needs: ['manageWebhooks'] },
];

export const sectionOf = (key: string): Section => {
  const section = sections.find((s) => s.key === key);
  if (!section) throw new Error(`unknown console section ${key}`);
  return section;
};

export const mayOpen = (principal: UserPrincipal, section: Section): boolean =>
  section.needs.every((operation) => can(principal, operation));

/** The console is for people with a directory role; anyone else reads a 403 page. */
export const hasConsoleRole = (principal: UserPrincipal): boolean => principal.directoryRoles.length > 0;
