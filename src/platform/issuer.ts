/** A tenant's issuer: always its id, whichever reference (id, slug, verified domain) the request used. */
export const issuerOf = (baseUrl: string, tenantId: string): string => `${baseUrl}/${tenantId}/v2.0`;
