import type { Actor } from '../audit/events.js';

/** Who is calling the directory API, derived once per request from the bearer token. */
export interface Principal {
  tenantId: string;
  kind: 'app' | 'user';
  /** The application's object id (app-only) or the user's object id (delegated). */
  objectId: string;
  appId: string;
  /** Effective permissions: app roles (app-only) or delegated scopes. */
  permissions: string[];
  /** Directory roles of a delegated user; empty for apps. */
  directoryRoles: string[];
  displayName: string | null;
  ipAddress: string;
}

export function actorOf(principal: Principal): Actor {
  return {
    kind: principal.kind,
    id: principal.objectId,
    displayName: principal.displayName,
    name: principal.kind === 'app' ? principal.appId : null,
    ipAddress: principal.ipAddress,
  };
}
