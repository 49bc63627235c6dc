/** Microsoft Graph application permissions Foyer understands (app roles on the directory API). */
export const allPermissions = [
  'User.Read.All',
  'User.ReadWrite.All',
  'User.Invite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Policy.Read.All',
  'Policy.ReadWrite.Authorization',
  'Policy.ReadWrite.CrossTenantAccess',
  'UserAuthenticationMethod.Read.All',
  'UserAuthenticationMethod.ReadWrite.All',
  'AuditLog.Read.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'IdentityProvider.Read.All',
  'IdentityProvider.ReadWrite.All',
] as const;
export type Permission = (typeof allPermissions)[number];

/** Directory roles, by Graph display name. */
export const directoryRoles = ['Global Administrator', 'User Administrator', 'Guest Inviter'] as const;
export type DirectoryRole = (typeof directoryRoles)[number];

/** The delegated permissions a sign-in gets unless its client was granted more (src/oidc). */
export const defaultDelegatedScopes = ['User.Read', 'User.ReadBasic.All', 'User.Invite.All'] as const;

const readUsers = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
] as const;
const readGroups = [
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
] as const;

/**
 * Each operation with every permission that grants it, as Graph's permission reference lists them: `app` for
 * application permissions (the token's `roles`), `scopes` for delegated ones (`scp`). A delegated call also needs
 * the user's own right to the operation (src/auth/rights.ts).
 */
export const operations = {
  /** Reading one's own profile (delegated only: an application has no "self"). */
  readSelf: {
    app: [],
    scopes: ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', ...readUsers],
  },
  /** Reading every property of other users. */
  readUsers: { app: readUsers, scopes: readUsers },
  /** Reading the basic profile of other users (id, names, mail, UPN): User.ReadBasic.All is enough. */
  readUsersBasic: { app: readUsers, scopes: ['User.ReadBasic.All', ...readUsers] },
  writeUsers: {
    app: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  readGroups: {
    app: readGroups,
    scopes: [...readGroups, 'GroupMember.Read.All', 'GroupMember.ReadWrite.All'],
  },
  writeGroups: {
    app: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  writeGroupMembers: {
    app: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  readApplications: {
    app: [
      'Application.Read.All',
      'Application.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    scopes: [
      'Application.Read.All',
      'Application.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  writeApplications: {
    app: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  /** Graph: GET /organization needs only User.Read when delegated. */
  readOrganization: {
    app: ['User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    scopes: ['User.Read', 'User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  },
  readPolicies: {
    app: [
      'Policy.Read.All',
      'Policy.ReadWrite.Authorization',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    scopes: [
      'Policy.Read.All',
      'Policy.ReadWrite.Authorization',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  writeAuthorizationPolicy: {
    app: ['Policy.ReadWrite.Authorization'],
    scopes: ['Policy.ReadWrite.Authorization'],
  },
  /** A user's authentication methods (softwareOathMethods); people need a Global Administrator too. */
  readAuthenticationMethods: {
    app: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
    scopes: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
  },
  /** Deleting one (the administrator's MFA reset). */
  writeAuthenticationMethods: {
    app: ['UserAuthenticationMethod.ReadWrite.All'],
    scopes: ['UserAuthenticationMethod.ReadWrite.All'],
  },
  /** crossTenantAccessPolicy/partners, as Graph's permission reference lists them. */
  readCrossTenantAccess: {
    app: ['Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess'],
    scopes: ['Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess'],
  },
  writeCrossTenantAccess: {
    app: ['Policy.ReadWrite.CrossTenantAccess'],
    scopes: ['Policy.ReadWrite.CrossTenantAccess'],
  },
  readAuditLogs: {
    app: ['AuditLog.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    scopes: ['AuditLog.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  },
  /** Sending invitations; for people, authorizationPolicy.allowInvitesFrom decides who (src/invitations). */
  invite: {
    app: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  /** Resending and revoking other people's invitations. */
  manageInvitations: {
    app: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  /** Member invitations and redemption resets: administrators only. */
  administerInvitations: {
    app: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  /** The organisation's branding (logo, privacy statement): Global Administrators, Directory.ReadWrite.All. */
  writeOrganization: {
    app: ['Directory.ReadWrite.All'],
    scopes: ['Directory.ReadWrite.All'],
  },
  /** Identity providers (Graph: IdentityProvider.Read.All / ReadWrite.All; people: Global Administrators). */
  readIdentityProviders: {
    app: ['IdentityProvider.Read.All', 'IdentityProvider.ReadWrite.All'],
    scopes: ['IdentityProvider.Read.All', 'IdentityProvider.ReadWrite.All'],
  },
  writeIdentityProviders: {
    app: ['IdentityProvider.ReadWrite.All'],
    scopes: ['IdentityProvider.ReadWrite.All'],
  },
  /** Granting directory permissions to applications (a Foyer extension), as granting app roles is in Graph. */
  grantPermissions: {
    app: ['Directory.ReadWrite.All'],
    scopes: ['Directory.ReadWrite.All'],
  },
  /** Registering webhook endpoints and reading their delivery logs (a Foyer extension): Global Administrators. */
  manageWebhooks: {
    app: ['Directory.ReadWrite.All'],
    scopes: ['Directory.ReadWrite.All'],
  },
} as const satisfies Record<string, { app: readonly Permission[]; scopes: readonly string[] }>;
export type Operation = keyof typeof operations;
