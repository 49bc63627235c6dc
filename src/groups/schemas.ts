import * as z from 'zod';
import type { GroupRow } from './store.js';

/** A reference to a directory object, as Graph writes it in @odata.bind and $ref bodies. */
export const directoryObjectUrl = z
  .string()
  .max(2048)
  .regex(
    /\/(directoryObjects|users)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i,
    'must be a URL ending in /directoryObjects/{id} or /users/{id}',
  );

export const idFromObjectUrl = (url: string): string => url.slice(url.lastIndexOf('/') + 1).toLowerCase();

/** POST /groups (https://learn.microsoft.com/graph/api/group-post-groups). Foyer groups are security groups. */
export const createGroupBody = z
  .object({
    displayName: z.string().min(1).max(256),
    description: z.string().max(1024).nullable().optional(),
    mailNickname: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    mailEnabled: z.literal(false, {
      message: 'Foyer supports security groups only: mailEnabled must be false',
    }),
    securityEnabled: z.literal(true, {
      message: 'Foyer supports security groups only: securityEnabled must be true',
    }),
    groupTypes: z
      .array(z.string())
      .max(0, 'Foyer supports security groups only: groupTypes must be empty')
      .optional(),
    'members@odata.bind': z.array(directoryObjectUrl).max(20).optional(),
    'owners@odata.bind': z.array(directoryObjectUrl).max(20).optional(),
  })
  .strict();
export type CreateGroupBody = z.infer<typeof createGroupBody>;

export const updateGroupBody = z
  .object({
    displayName: z.string().min(1).max(256),
    description: z.string().max(1024).nullable(),
    mailNickname: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/),
  })
  .partial()
  .strict();

export const memberRefBody = z.object({ '@odata.id': directoryObjectUrl }).strict();

export const groupResource = z.object({
  id: z.string(),
  displayName: z.string(),
  description: z.string().nullable(),
  mailNickname: z.string(),
  mailEnabled: z.boolean(),
  securityEnabled: z.boolean(),
  groupTypes: z.array(z.string()),
  createdDateTime: z.string(),
  mail: z.string().nullable(),
  visibility: z.string().nullable(),
});
export type GroupResource = z.infer<typeof groupResource>;

export const groupIdParams = z.object({ id: z.uuid({ message: 'must be a group object id' }) });
export const memberParams = groupIdParams.extend({
  memberId: z.uuid({ message: 'must be a user object id' }),
});

export function toGroupResource(row: GroupRow): GroupResource {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    mailNickname: row.mail_nickname,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    createdDateTime: row.created_at,
    mail: null,
    visibility: null,
  };
}
