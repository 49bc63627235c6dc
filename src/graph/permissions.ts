import { FoyerError } from '../errors/catalogue.js';
import type { Principal } from './principal.js';

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
  'AuditLog.Read.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
] as const;
export type Permission = (typeof allPermissions)[number];

/** Directory roles, by Graph display name. */
export const directoryRoles = ['Global Administrator', 'User Administrator', 'Guest Inviter'] as const;
export type DirectoryRole = (typeof directoryRoles)[number];

/**
 * Each operation lists every permission that grants it, as Graph's permission reference does
 * (e.g. reading users: User.Read.All, User.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All).
 */
export const operations = {
  readUsers: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writeUsers: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  readGroups: ['Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writeGroups: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  writeGroupMembers: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  readApplications: [
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  writeApplications: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  readOrganization: ['User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readPolicies: [
    'Policy.Read.All',
    'Policy.ReadWrite.Authorization',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  writeAuthorizationPolicy: ['Policy.ReadWrite.Authorization'],
  readAuditLogs: ['AuditLog.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  invite: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  grantPermissions: ['Directory.ReadWrite.All'],
} as const satisfies Record<string, readonly Permission[]>;
export type Operation = keyof typeof operations;

/** Delegated callers act through their directory roles; these roles allow everything in the API. */
const adminRoles: ReadonlySet<string> = new Set(['Global Administrator', 'User Administrator']);

export function isAdministrator(principal: Principal): boolean {
  return principal.directoryRoles.some((role) => adminRoles.has(role));
}

export function can(principal: Principal, operation: Operation): boolean {
  const granting: readonly string[] = operations[operation];
  return granting.some((permission) => principal.permissions.includes(permission));
}

export function requirePermission(principal: Principal, operation: Operation): void {
  if (!can(principal, operation)) {
    throw new FoyerError(
      'forbidden',
      `Insufficient privileges to complete the operation. Requires one of: ${operations[operation].join(', ')}.`,
    );
  }
}
