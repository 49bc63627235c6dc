import * as z from 'zod';

/**
 * Graph's identity provider shapes (https://learn.microsoft.com/graph/api/resources/identityproviderbase):
 * `openIdConnectIdentityProvider` for any OpenID Connect provider and `socialIdentityProvider` for Google.
 * Foyer's extensions: `domains` (the email domains an OIDC provider serves) and `callbackUrl` (read only: the
 * redirect URI to register at the provider).
 */
export const OIDC_TYPE = '#microsoft.graph.openIdConnectIdentityProvider';
export const SOCIAL_TYPE = '#microsoft.graph.socialIdentityProvider';
export const MASKED_SECRET = '******';
export const DEFAULT_SCOPE = 'openid profile email';
export const DEFAULT_CLAIMS = { userId: 'sub', email: 'email', displayName: 'name' } as const;

const claimName = z.string().trim().min(1).max(100);
const claimsMapping = z
  .object({ userId: claimName, email: claimName, displayName: claimName.optional() })
  .partial()
  .strict();
export type ClaimsMapping = { userId: string; email: string; displayName: string };

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a domain name');

const metadataUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2048)
  .refine(
    (url) => !URL.canParse(url) || new URL(url).pathname.endsWith('/.well-known/openid-configuration'),
    {
      message: "must be the provider's /.well-known/openid-configuration",
    },
  );

const scope = z
  .string()
  .trim()
  .max(1000)
  .refine((value) => value.split(/\s+/).includes('openid'), { message: 'must include openid' });

const common = {
  displayName: z.string().trim().min(1).max(256),
  clientId: z.string().trim().min(1).max(512),
  clientSecret: z.string().min(1).max(2048),
};

export const createOidcBody = z
  .object({
    '@odata.type': z.literal(OIDC_TYPE),
    ...common,
    metadataUrl,
    scope: scope.optional(),
    responseType: z.literal('code').optional(),
    claimsMapping: claimsMapping.optional(),
    domains: z.array(domain).max(100).optional(),
  })
  .strict();

export const createGoogleBody = z
  .object({
    '@odata.type': z.literal(SOCIAL_TYPE),
    identityProviderType: z.literal('Google'),
    ...common,
  })
  .strict();

export const createProviderBody = z.discriminatedUnion('@odata.type', [createOidcBody, createGoogleBody]);
export type CreateProviderBody = z.infer<typeof createProviderBody>;

/** PATCH: any subset; `@odata.type` may be repeated (Graph clients send it) but not changed. */
export const patchProviderBody = z
  .object({
    '@odata.type': z.enum([OIDC_TYPE, SOCIAL_TYPE]),
    identityProviderType: z.literal('Google'),
    ...common,
    metadataUrl,
    scope,
    responseType: z.literal('code'),
    claimsMapping,
    domains: z.array(domain).max(100),
  })
  .partial()
  .strict();
export type PatchProviderBody = z.infer<typeof patchProviderBody>;

export const providerIdParams = z.object({ id: z.uuid() });

export const providerResource = z.object({
  '@odata.type': z.enum([OIDC_TYPE, SOCIAL_TYPE]),
  id: z.string(),
  displayName: z.string(),
  identityProviderType: z.literal('Google').optional(),
  clientId: z.string(),
  clientSecret: z.literal(MASKED_SECRET),
  metadataUrl: z.string().optional(),
  scope: z.string().optional(),
  responseType: z.literal('code').optional(),
  claimsMapping: z.object({ userId: z.string(), email: z.string(), displayName: z.string() }).optional(),
  domains: z.array(z.string()).optional(),
  callbackUrl: z.string(),
});
export type ProviderResource = z.infer<typeof providerResource>;
