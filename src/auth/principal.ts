import type { Actor } from '../audit/events.js';

/** The guest access level of authorizationPolicy.guestUserRoleId, by name (see src/policies/schemas.ts). */
export type GuestAccess = 'sameAsMembers' | 'limited' | 'restricted';

interface Caller {
  tenantId: string;
  /** The application's object id (app-only), the user's object id (delegated); null for the operator. */
  objectId: string | null;
  displayName: string | null;
  ipAddress: string;
}

/** An application calling with its own identity (client credentials): its app roles, as granted now. */
export interface AppPrincipal extends Caller {
  kind: 'app';
  objectId: string;
  appId: string;
  /** Granted application permissions: the token's `roles` still granted in the directory. */
  permissions: string[];
}

/**
 * A person calling through a client application (delegated). What the call may do is the intersection of the
 * client's delegated scopes (`scp`) and the person's own rights: their directory roles, their user type and,
 * for guests, the tenant's guest access level. Roles, type and accountEnabled come from the directory when the
 * request is authenticated, never from the token.
 */
export interface UserPrincipal extends Caller {
  kind: 'user';
  objectId: string;
  /** The client application the person signed in to (`azp`). */
  appId: string;
  scopes: string[];
  directoryRoles: string[];
  userType: 'Member' | 'Guest';
  /** How far a guest sees the directory; members are 'sameAsMembers'. */
  guestAccess: GuestAccess;
  userPrincipalName: string | null;
}

/**
 * The instance operator: whoever runs the CLI or holds an /instance/v1 token. Instance-level, so it may act in
 * any tenant and is bound by no role or permission; audited as the operator, never as an application.
 */
export interface OperatorPrincipal extends Caller {
  kind: 'operator';
  objectId: null;
  /** Which door the operator came through, for the audit log. */
  channel: 'cli' | 'instance-api';
}

export type Principal = AppPrincipal | UserPrincipal | OperatorPrincipal;

const operatorNames = { cli: 'Foyer CLI', 'instance-api': 'Foyer instance API' } as const;

export function operatorPrincipal(
  tenantId: string,
  channel: OperatorPrincipal['channel'] = 'cli',
  ipAddress = '127.0.0.1',
): OperatorPrincipal {
  return {
    kind: 'operator',
    tenantId,
    objectId: null,
    channel,
    displayName: operatorNames[channel],
    ipAddress,
  };
}

/** The operator as an audit actor, for instance-level changes made before any tenant exists (provisioning). */
export function operatorActor(channel: OperatorPrincipal['channel'], ipAddress = '127.0.0.1'): Actor {
  return actorOf(operatorPrincipal('', channel, ipAddress));
}

/** A stable id for per-caller budgets (rate limits): the app's client id, the user's object id, the operator. */
export function callerKey(principal: Principal): string {
  switch (principal.kind) {
    case 'app':
      return `app:${principal.appId}`;
    case 'user':
      return `user:${principal.objectId}`;
    case 'operator':
      return `operator:${principal.channel}`;
  }
}

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'app':
      return {
        kind: 'app',
        id: principal.objectId,
        displayName: principal.displayName,
        name: principal.appId,
        ipAddress: principal.ipAddress,
      };
    case 'user':
      return {
        kind: 'user',
        id: principal.objectId,
        displayName: principal.displayName,
        name: principal.userPrincipalName,
        ipAddress: principal.ipAddress,
      };
    case 'operator':
      return {
        kind: 'operator',
        id: null,
        displayName: principal.displayName,
        name: principal.channel,
        ipAddress: principal.ipAddress,
      };
  }
}
