import { z } from 'zod';
import { allWebhookEvents } from './events.js';

export const endpointBody = z
  .object({
    url: z.string().max(2048),
    events: z
      .array(z.enum(allWebhookEvents as [string, ...string[]]))
      .min(1, 'subscribe to at least one event')
      .refine((events) => new Set(events).size === events.length, 'each event once'),
    description: z.string().trim().max(256).nullable().optional(),
  })
  .strict();
export type EndpointBody = z.infer<typeof endpointBody>;

export const endpointParams = z.object({ id: z.string().uuid() });
export const deliveriesQuery = z.object({ $top: z.coerce.number().int().min(1).max(999).default(100) });
