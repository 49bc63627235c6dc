import * as z from 'zod';
import { utf8Length } from '../platform/text.js';

const email = z.email({ message: 'must be a valid email address' }).max(254);
const language = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag');

/**
 * Bounded in UTF-8 bytes as well as characters: the pair is one entry of a unique btree index, which PostgreSQL
 * caps near 2.7 KB; 512 characters of CJK or emoji are 1.5–2 KB each.
 */
const identityPart = z
  .string()
  .min(1)
  .max(512)
  .refine((value) => utf8Length(value) <= 1024, { message: 'must be at most 1,024 bytes in UTF-8' });

export const identity = z
  .object({
    signInType: z.enum(['emailAddress', 'federated', 'userPrincipalName', 'userName']),
    issuer: identityPart,
    issuerAssignedId: identityPart.nullable().optional(),
  })
  .strict();

export const passwordProfile = z
  .object({
    password: z.string().min(8, 'must be at least 8 characters').max(256),
    forceChangePasswordNextSignIn: z.boolean().optional(),
    forceChangePasswordNextSignInWithMfa: z.boolean().optional(),
  })
  .strict();

/** POST /users (https://learn.microsoft.com/graph/api/user-post-users). Unknown properties are a 400. */
export const createUserBody = z
  .object({
    accountEnabled: z.boolean(),
    displayName: z.string().min(1).max(256),
    mailNickname: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^\s@()<>[\]\\,;:"]+$/, 'contains characters not allowed'),
    userPrincipalName: z.string().min(3).max(113),
    passwordProfile: passwordProfile.optional(),
    givenName: z.string().max(64).nullable().optional(),
    surname: z.string().max(64).nullable().optional(),
    jobTitle: z.string().max(128).nullable().optional(),
    mail: email.nullable().optional(),
    otherMails: z.array(email).max(50).optional(),
    preferredLanguage: language.nullable().optional(),
    userType: z.enum(['Member', 'Guest']).optional(),
    identities: z.array(identity).max(20).optional(),
  })
  .strict();
export type CreateUserBody = z.infer<typeof createUserBody>;

/** PATCH /users/{id}: any subset of the writable properties. */
export const updateUserBody = z
  .object({
    accountEnabled: z.boolean(),
    displayName: z.string().min(1).max(256),
    givenName: z.string().max(64).nullable(),
    surname: z.string().max(64).nullable(),
    jobTitle: z.string().max(128).nullable(),
    mail: email.nullable(),
    otherMails: z.array(email).max(50),
    preferredLanguage: language.nullable(),
    userPrincipalName: z.string().min(3).max(113),
    passwordProfile: passwordProfile,
    mailNickname: z.string().min(1).max(64),
  })
  .partial()
  .strict();
export type UpdateUserBody = z.infer<typeof updateUserBody>;

/** Every user property Foyer exposes (Graph names). Default responses carry Graph's default set only. */
export const userResource = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  givenName: z.string().nullable(),
  surname: z.string().nullable(),
  jobTitle: z.string().nullable(),
  mail: z.string().nullable(),
  otherMails: z.array(z.string()),
  userPrincipalName: z.string(),
  userType: z.string(),
  accountEnabled: z.boolean(),
  preferredLanguage: z.string().nullable(),
  createdDateTime: z.string(),
  creationType: z.string().nullable(),
  externalUserState: z.string().nullable(),
  externalUserStateChangeDateTime: z.string().nullable(),
  identities: z.array(
    z.object({ signInType: z.string(), issuer: z.string(), issuerAssignedId: z.string().nullable() }),
  ),
  businessPhones: z.array(z.string()),
  mobilePhone: z.string().nullable(),
  officeLocation: z.string().nullable(),
  mailNickname: z.string(),
});
export type UserResource = z.infer<typeof userResource>;

/** Graph returns this set when no $select is given (https://learn.microsoft.com/graph/api/user-get). */
export const defaultUserProperties = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

export const userIdParams = z.object({ id: z.string().min(1).max(256) });
