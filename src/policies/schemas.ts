import * as z from 'zod';

/** Graph guestUserRoleId values (https://learn.microsoft.com/graph/api/resources/authorizationpolicy). */
export const guestRoles = {
  sameAsMembers: 'a0b1b346-4d3e-4e8b-98f8-753987be4970',
  limited: '10dae51f-b6af-4016-8d66-8c2a99b929b3',
  restricted: '2af84b1e-32c8-42b7-82bc-daa82404023b',
} as const;

export const allowInvitesFromValues = [
  'none',
  'adminsAndGuestInviters',
  'adminsGuestInvitersAndAllMembers',
  'everyone',
] as const;

export const authorizationPolicyDocument = z.object({
  allowInvitesFrom: z.enum(allowInvitesFromValues),
  guestUserRoleId: z.enum([guestRoles.sameAsMembers, guestRoles.limited, guestRoles.restricted]),
  allowedToSignUpEmailBasedSubscriptions: z.boolean(),
  allowedToUseSSPR: z.boolean(),
  allowEmailVerifiedUsersToJoinOrganization: z.boolean(),
  blockMsolPowerShell: z.boolean(),
});
export type AuthorizationPolicyDocument = z.infer<typeof authorizationPolicyDocument>;

/** Entra's defaults for a new tenant. */
export const defaultAuthorizationPolicy: AuthorizationPolicyDocument = {
  allowInvitesFrom: 'everyone',
  guestUserRoleId: guestRoles.limited,
  allowedToSignUpEmailBasedSubscriptions: true,
  allowedToUseSSPR: true,
  allowEmailVerifiedUsersToJoinOrganization: false,
  blockMsolPowerShell: false,
};

export const authorizationPolicyResponse = authorizationPolicyDocument.extend({
  '@odata.context': z.string(),
  id: z.literal('authorizationPolicy'),
  displayName: z.string(),
  description: z.string().optional(),
});

/** PATCH body: any subset; unknown properties are an error, never silently dropped. */
export const authorizationPolicyPatch = authorizationPolicyDocument.partial().strict();
