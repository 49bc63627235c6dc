import type { Selectable } from 'kysely';
import * as z from 'zod';
import type { SignInsTable } from '../db/schema.js';

/** How the person proved who they are in this attempt (`none`: the attempt ended before any method). */
export const authenticationMethods = [
  'password',
  'emailOtp',
  'totp',
  'recoveryCode',
  'federated',
  'previousSession',
  'none',
] as const;
export type AuthenticationMethod = (typeof authenticationMethods)[number];

/** The names Entra's sign-in log uses for each method (authenticationDetail.authenticationMethod). */
const methodLabels: Record<AuthenticationMethod, string | null> = {
  password: 'Password',
  emailOtp: 'Email one-time passcode',
  totp: 'OATH verification code',
  recoveryCode: 'Recovery code',
  federated: 'Federated identity provider',
  previousSession: 'Previously satisfied',
  none: null,
};

/** Graph beta authenticationRequirement. */
export const authenticationRequirements = [
  'singleFactorAuthentication',
  'multiFactorAuthentication',
] as const;
/**
 * Foyer's `mfaSource`: where a required MFA was met — in the resource tenant (now, or earlier in the same browser
 * session), or by the home tenant's MFA, accepted through inbound trust (crossTenantAccessPolicy/partners).
 */
export const mfaSources = ['resourceTenant', 'homeTenant'] as const;
export type MfaSource = (typeof mfaSources)[number];

/** Graph beta crossTenantAccessType; Foyer itself produces `none` and `b2bCollaboration`. */
export const crossTenantAccessTypes = [
  'none',
  'b2bCollaboration',
  'b2bDirectConnect',
  'microsoftSupport',
  'serviceProvider',
  'passthrough',
] as const;

/** Graph beta incomingTokenType. */
export const incomingTokenTypes = [
  'none',
  'primaryRefreshToken',
  'saml11',
  'saml20',
  'remoteDesktopToken',
] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guid = z
  .string()
  .regex(GUID)
  .transform((value) => value.toLowerCase());
/** Text typed by the person (a user name) is kept, but bounded, so a log write never fails on its length. */
const text = (max: number) => z.string().transform((value) => value.slice(0, max));

/**
 * One sign-in attempt as the pages report it. Strict: an unknown field (say, `password` or `ticket`) is a
 * programming error, not something to store — the log must never hold a secret.
 */
export const signInEntry = z
  .strictObject({
    /** The resource tenant: the one being signed in to. */
    tenantId: guid,
    userId: guid.nullable(),
    userPrincipalName: text(256).nullable(),
    userDisplayName: text(256).nullable(),
    // Client ids are GUIDs, but an attempt with a bad client_id is logged as sent (lower-cased when a GUID).
    appId: text(256)
      .transform((value) => (GUID.test(value) ? value.toLowerCase() : value))
      .nullable(),
    appDisplayName: text(256).nullable(),
    ipAddress: text(64).pipe(z.string().min(1)),
    clientAppUsed: text(64).nullable(),
    result: z.enum(['success', 'failure', 'interrupted']),
    errorCode: z.number().int().min(0).max(2_147_483_647),
    /** Defaults to the catalogue's reason for errorCode (failures.ts). */
    failureReason: text(512).nullable().optional(),
    additionalDetails: text(1024).nullable().optional(),
    homeTenantId: guid.nullable(),
    crossTenantAccessType: z.enum(crossTenantAccessTypes),
    authenticationMethod: z.enum(authenticationMethods),
    incomingTokenType: z.enum(incomingTokenTypes),
    isInteractive: z.boolean().default(true),
    correlationId: text(128).pipe(z.string().min(1)),
    authenticationRequirement: z.enum(authenticationRequirements).default('singleFactorAuthentication'),
    mfaSource: z.enum(mfaSources).nullable().default(null),
    mfaMethod: z.enum(['totp', 'recoveryCode']).nullable().default(null),
  })
  .refine((entry) => (entry.result === 'success') === (entry.errorCode === 0), {
    message: 'errorCode is 0 exactly when result is success',
  });
export type SignInEntry = z.input<typeof signInEntry>;

/** Graph's signIn (v1.0), plus the beta names for the B2B facts (resource and home tenant, access type, method). */
export const signInResource = z.object({
  id: z.string(),
  createdDateTime: z.string(),
  userId: z.string().nullable(),
  userPrincipalName: z.string().nullable(),
  userDisplayName: z.string().nullable(),
  appId: z.string().nullable(),
  appDisplayName: z.string().nullable(),
  ipAddress: z.string(),
  clientAppUsed: z.string().nullable(),
  correlationId: z.string(),
  conditionalAccessStatus: z.enum(['success', 'failure', 'notApplied']),
  isInteractive: z.boolean(),
  status: z.object({
    errorCode: z.number(),
    failureReason: z.string().nullable(),
    additionalDetails: z.string().nullable(),
  }),
  resourceTenantId: z.string(),
  homeTenantId: z.string().nullable(),
  crossTenantAccessType: z.string(),
  incomingTokenType: z.string(),
  authenticationMethodsUsed: z.array(z.string()),
  authenticationDetails: z.array(
    z.object({
      authenticationStepDateTime: z.string(),
      authenticationMethod: z.string(),
      succeeded: z.boolean(),
      authenticationStepResultDetail: z.string().nullable(),
    }),
  ),
  authenticationRequirement: z.enum(authenticationRequirements),
  mfaDetail: z.object({ authMethod: z.string().nullable(), authDetail: z.string().nullable() }).nullable(),
  mfaSource: z.enum(mfaSources).nullable(),
});
export type SignInResource = z.infer<typeof signInResource>;

/** Entra's wording for how an MFA requirement was met (authenticationStepResultDetail, mfaDetail.authDetail). */
const mfaDetails: Record<MfaSource, string> = {
  resourceTenant: 'MFA completed in this tenant',
  homeTenant: "MFA requirement satisfied by claim in the token (the home tenant's MFA, trusted inbound)",
};

/** The second step of a sign-in that met an MFA requirement, as authenticationDetails lists it. */
function mfaStep(row: Selectable<SignInsTable>) {
  const source = row.mfa_source as MfaSource | null;
  if (!source) return null;
  const method = row.mfa_method as AuthenticationMethod | null;
  return {
    authMethod: method ? methodLabels[method] : methodLabels.previousSession,
    authDetail: mfaDetails[source],
  };
}

export function toSignInResource(row: Selectable<SignInsTable>): SignInResource {
  const method = methodLabels[row.authentication_method as AuthenticationMethod] ?? null;
  const succeeded = row.result === 'success';
  const mfa = mfaStep(row);
  const steps = [
    ...(method === null ? [] : [{ method, detail: succeeded ? null : row.failure_reason }]),
    ...(mfa?.authMethod ? [{ method: mfa.authMethod, detail: mfa.authDetail }] : []),
  ];
  return {
    id: row.id,
    createdDateTime: row.created_at,
    userId: row.user_id,
    userPrincipalName: row.user_principal_name,
    userDisplayName: row.user_display_name,
    appId: row.app_id,
    appDisplayName: row.app_display_name,
    ipAddress: row.ip_address,
    clientAppUsed: row.client_app_used,
    correlationId: row.correlation_id,
    // Foyer has no conditional access policies, so none ever applied.
    conditionalAccessStatus: 'notApplied',
    isInteractive: Number(row.is_interactive) === 1,
    status: {
      errorCode: Number(row.error_code),
      failureReason: row.failure_reason,
      additionalDetails: row.additional_details,
    },
    resourceTenantId: row.tenant_id,
    homeTenantId: row.home_tenant_id,
    crossTenantAccessType: row.cross_tenant_access_type,
    incomingTokenType: row.incoming_token_type,
    authenticationMethodsUsed: steps.map((step) => step.method),
    authenticationDetails: steps.map((step) => ({
      authenticationStepDateTime: row.created_at,
      authenticationMethod: step.method,
      succeeded,
      authenticationStepResultDetail: step.detail,
    })),
    authenticationRequirement:
      row.authentication_requirement === 'multiFactorAuthentication'
        ? 'multiFactorAuthentication'
        : 'singleFactorAuthentication',
    mfaDetail: mfa,
    mfaSource: (row.mfa_source as MfaSource | null) ?? null,
  };
}
