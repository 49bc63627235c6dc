/**
 * Domain events. Every state change publishes one inside its own transaction (audit/publish.ts), so the change
 * and its record land together, or neither does.
 */
export interface Actor {
  /** `operator`: the instance operator (CLI or /instance/v1), which is neither an application nor a user. */
  kind: 'app' | 'user' | 'operator' | 'system';
  id: string | null;
  displayName: string | null;
  /** appId for apps, UPN for users, the channel (`cli`, `instance-api`) for the operator. */
  name: string | null;
  ipAddress: string | null;
}

export interface Target {
  id: string;
  type: 'User' | 'Group' | 'Application' | 'Policy' | 'Tenant' | 'Invitation' | 'Other';
  displayName: string | null;
  userPrincipalName?: string | null;
  modifiedProperties?: Array<{ displayName: string; oldValue: string | null; newValue: string | null }>;
}

export interface DomainEvent {
  /** e.g. 'user.created', 'invitation.created', 'guest.reset' — see audit/activities.ts. */
  type: string;
  tenantId: string;
  actor: Actor;
  targets: Target[];
  details?: Record<string, string>;
  correlationId: string;
  result?: 'success' | 'failure';
  resultReason?: string;
}

export const systemActor: Actor = {
  kind: 'system',
  id: null,
  displayName: 'Foyer',
  name: null,
  ipAddress: null,
};

/** A user as an audit target: id, display name and UPN, as Graph's targetResources show users. */
export function userTarget(user: { id: string; display_name: string; user_principal_name: string }): Target {
  return {
    id: user.id,
    type: 'User',
    displayName: user.display_name,
    userPrincipalName: user.user_principal_name,
  };
}
