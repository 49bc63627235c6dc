import * as z from 'zod';
import { allWebhookEvents } from './events.js';

const events = z
  .array(z.enum(allWebhookEvents as [string, ...string[]]))
  .min(1, 'subscribe to at least one event')
  .refine((list) => new Set(list).size === list.length, 'each event once');

export const endpointBody = z
  .object({
    url: z.string().max(2048),
    events,
    description: z.string().trim().max(256).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type EndpointBody = z.infer<typeof endpointBody>;

/** PATCH: any subset of what POST takes; the signing secret never changes (register a new endpoint for that). */
export const endpointPatchBody = endpointBody
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');
export type EndpointPatchBody = z.infer<typeof endpointPatchBody>;

export const endpointParams = z.object({ id: z.string().uuid() });
export const deliveriesQuery = z.object({ $top: z.coerce.number().int().min(1).max(999).default(100) });
