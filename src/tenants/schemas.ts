import * as z from 'zod';
import type { TenantRow } from './store.js';

export const createTenantBody = z
  .object({
    displayName: z.string().min(1).max(256),
    slug: z.string().min(1).max(63).optional(),
    defaultLanguage: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
      .optional(),
    adminEmail: z.email().optional(),
  })
  .strict();

export const tenantResource = z.object({
  id: z.string(),
  slug: z.string(),
  displayName: z.string(),
  defaultDomain: z.string(),
  defaultLanguage: z.string(),
  createdDateTime: z.string(),
});

export const provisionedTenantResource = tenantResource.extend({
  adminUserPrincipalName: z.string(),
  adminPassword: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  tokenEndpoint: z.string(),
});

export const domainBody = z.object({ domain: z.string().min(3).max(253) }).strict();
export const verifyDomainBody = z.object({ force: z.boolean().optional() }).strict().optional();

export const toTenantResource = (t: TenantRow): z.infer<typeof tenantResource> => ({
  id: t.id,
  slug: t.slug,
  displayName: t.display_name,
  defaultDomain: t.default_domain,
  defaultLanguage: t.default_language,
  createdDateTime: t.created_at,
});
