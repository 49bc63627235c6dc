/**
 * How each domain event reads in the Graph directoryAudit log. Display names follow Entra's where Entra has one
 * (https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities).
 */
export interface Activity {
  displayName: string;
  category: 'UserManagement' | 'GroupManagement' | 'ApplicationManagement' | 'Policy' | 'DirectoryManagement';
  operationType: 'Add' | 'Update' | 'Delete' | 'Assign' | 'Unassign';
  loggedByService: 'Core Directory' | 'Invited Users' | 'B2B Collaboration' | 'Authentication Methods';
}

const activities: Record<string, Activity> = {
  'tenant.created': {
    displayName: 'Create company',
    category: 'DirectoryManagement',
    operationType: 'Add',
    loggedByService: 'Core Directory',
  },
  'domain.added': {
    displayName: 'Add unverified domain',
    category: 'DirectoryManagement',
    operationType: 'Add',
    loggedByService: 'Core Directory',
  },
  'domain.verified': {
    displayName: 'Verify domain',
    category: 'DirectoryManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'user.created': {
    displayName: 'Add user',
    category: 'UserManagement',
    operationType: 'Add',
    loggedByService: 'Core Directory',
  },
  'user.updated': {
    displayName: 'Update user',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'user.deleted': {
    displayName: 'Delete user',
    category: 'UserManagement',
    operationType: 'Delete',
    loggedByService: 'Core Directory',
  },
  'role.assigned': {
    displayName: 'Add member to role',
    category: 'UserManagement',
    operationType: 'Assign',
    loggedByService: 'Core Directory',
  },
  'group.created': {
    displayName: 'Add group',
    category: 'GroupManagement',
    operationType: 'Add',
    loggedByService: 'Core Directory',
  },
  'group.updated': {
    displayName: 'Update group',
    category: 'GroupManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'group.deleted': {
    displayName: 'Delete group',
    category: 'GroupManagement',
    operationType: 'Delete',
    loggedByService: 'Core Directory',
  },
  'group.member.added': {
    displayName: 'Add member to group',
    category: 'GroupManagement',
    operationType: 'Assign',
    loggedByService: 'Core Directory',
  },
  'group.member.removed': {
    displayName: 'Remove member from group',
    category: 'GroupManagement',
    operationType: 'Unassign',
    loggedByService: 'Core Directory',
  },
  'application.created': {
    displayName: 'Add application',
    category: 'ApplicationManagement',
    operationType: 'Add',
    loggedByService: 'Core Directory',
  },
  'application.password.added': {
    displayName: 'Update application – Certificates and secrets management',
    category: 'ApplicationManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'application.permission.granted': {
    displayName: 'Add app role assignment to service principal',
    category: 'ApplicationManagement',
    operationType: 'Assign',
    loggedByService: 'Core Directory',
  },
  'application.deleted': {
    displayName: 'Delete application',
    category: 'ApplicationManagement',
    operationType: 'Delete',
    loggedByService: 'Core Directory',
  },
  'application.password.removed': {
    displayName: 'Update application – Certificates and secrets management',
    category: 'ApplicationManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'application.permission.revoked': {
    displayName: 'Remove app role assignment from service principal',
    category: 'ApplicationManagement',
    operationType: 'Unassign',
    loggedByService: 'Core Directory',
  },
  'invitation.created': {
    displayName: 'Invite external user',
    category: 'UserManagement',
    operationType: 'Add',
    loggedByService: 'Invited Users',
  },
  'invitation.resent': {
    displayName: 'Resend invitation to external user',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Invited Users',
  },
  'invitation.reminded': {
    displayName: 'Send reminder to external user',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Invited Users',
  },
  'invitation.revoked': {
    displayName: 'Revoke invitation to external user',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Invited Users',
  },
  'invitation.expired': {
    displayName: 'Invitation to external user expired',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Invited Users',
  },
  'invitation.blocked': {
    displayName: 'Block future invitations from organization',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'B2B Collaboration',
  },
  'invitation.unblocked': {
    displayName: 'Unblock future invitations from organization',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'B2B Collaboration',
  },
  'user.sessions.revoked': {
    displayName: 'Invalidate all refresh tokens for user',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'invitation.redeemed': {
    displayName: 'Redeem external user invite',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Invited Users',
  },
  'guest.consented': {
    displayName: 'Consent to the organization as a guest',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'B2B Collaboration',
  },
  'guest.reset': {
    displayName: 'Reset user redemption status',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Invited Users',
  },
  'policy.b2b.updated': {
    displayName: 'Update external collaboration settings',
    category: 'Policy',
    operationType: 'Update',
    loggedByService: 'B2B Collaboration',
  },
  'organization.branding.updated': {
    displayName: 'Set company branding',
    category: 'DirectoryManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'guest.left': {
    displayName: 'Guest left organization',
    category: 'UserManagement',
    operationType: 'Delete',
    loggedByService: 'B2B Collaboration',
  },
  'identityProvider.created': {
    displayName: 'Add identity provider',
    category: 'DirectoryManagement',
    operationType: 'Add',
    loggedByService: 'B2B Collaboration',
  },
  'identityProvider.updated': {
    displayName: 'Update identity provider',
    category: 'DirectoryManagement',
    operationType: 'Update',
    loggedByService: 'B2B Collaboration',
  },
  'identityProvider.deleted': {
    displayName: 'Delete identity provider',
    category: 'DirectoryManagement',
    operationType: 'Delete',
    loggedByService: 'B2B Collaboration',
  },
  'policy.updated': {
    displayName: 'Update authorization policy',
    category: 'Policy',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  // MFA (src/mfa) and inbound trust (src/crosstenant), named as Entra's audit log names them.
  'mfa.method.registered': {
    displayName: 'User registered security info',
    category: 'UserManagement',
    operationType: 'Add',
    loggedByService: 'Authentication Methods',
  },
  'mfa.method.deleted': {
    displayName: 'Admin deleted security info',
    category: 'UserManagement',
    operationType: 'Delete',
    loggedByService: 'Authentication Methods',
  },
  'mfa.method.selfDeleted': {
    displayName: 'User deleted security info',
    category: 'UserManagement',
    operationType: 'Delete',
    loggedByService: 'Authentication Methods',
  },
  'mfa.recoveryCodes.regenerated': {
    displayName: 'User changed default security info',
    category: 'UserManagement',
    operationType: 'Update',
    loggedByService: 'Authentication Methods',
  },
  // Webhook endpoints (src/webhooks): a Foyer extension, so Foyer's own names.
  'webhook.created': {
    displayName: 'Add webhook endpoint',
    category: 'DirectoryManagement',
    operationType: 'Add',
    loggedByService: 'Core Directory',
  },
  'webhook.updated': {
    displayName: 'Update webhook endpoint',
    category: 'DirectoryManagement',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'webhook.deleted': {
    displayName: 'Delete webhook endpoint',
    category: 'DirectoryManagement',
    operationType: 'Delete',
    loggedByService: 'Core Directory',
  },
  'crossTenantAccess.partner.added': {
    displayName: 'Add a partner to cross-tenant access setting',
    category: 'Policy',
    operationType: 'Add',
    loggedByService: 'Core Directory',
  },
  'crossTenantAccess.partner.updated': {
    displayName: 'Update a partner cross-tenant access setting',
    category: 'Policy',
    operationType: 'Update',
    loggedByService: 'Core Directory',
  },
  'crossTenantAccess.partner.deleted': {
    displayName: 'Delete partner specific cross-tenant access setting',
    category: 'Policy',
    operationType: 'Delete',
    loggedByService: 'Core Directory',
  },
};

export function activityFor(type: string): Activity {
  const activity = activities[type];
  if (!activity) throw new Error(`No audit activity is defined for event '${type}'`);
  return activity;
}
