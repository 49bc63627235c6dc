import { z } from 'zod';
import type { QueryOptions } from './odata/index.js';
import { odataContext } from './response.js';

/**
 * The query string of a collection route. Option values are validated by the OData parser (which names what
 * it does not understand); this schema only documents them in openapi.json.
 */
export const collectionQuery = z.looseObject({
  $filter: z.string().optional().describe("OData filter, e.g. userType eq 'Guest'"),
  $select: z.string().optional(),
  $top: z.string().optional().describe('1 to 999, default 100'),
  $orderby: z.string().optional(),
  $count: z.string().optional(),
  $search: z.string().optional().describe('"displayName:ada"'),
  $skiptoken: z.string().optional().describe('opaque; copy @odata.nextLink'),
});

/** The next page's absolute URL: the request's own query, with the new $skiptoken, on the public base URL. */
export function nextLink(baseUrl: string, requestUrl: string, skipToken: string): string {
  const url = new URL(requestUrl, 'http://internal');
  const params = new URLSearchParams(url.search);
  for (const name of [...params.keys()]) if (name.toLowerCase() === '$skiptoken') params.delete(name);
  params.set('$skiptoken', skipToken);
  // Graph writes system query options with a literal '$' (…?$skiptoken=…); URLSearchParams would escape it.
  return `${baseUrl}${url.pathname}?${params.toString().replaceAll('%24', '$')}`;
}

export function collectionResponse<T>(input: {
  baseUrl: string;
  entitySet: string;
  requestUrl: string;
  options: QueryOptions;
  items: T[];
  nextSkipToken?: string | undefined;
  count?: number | undefined;
}) {
  return {
    '@odata.context': odataContext(input.baseUrl, input.entitySet, input.options.select),
    ...(input.count !== undefined && { '@odata.count': input.count }),
    ...(input.nextSkipToken && {
      '@odata.nextLink': nextLink(input.baseUrl, input.requestUrl, input.nextSkipToken),
    }),
    value: input.items,
  };
}

/** A single-entity response schema: @odata.context first, as Graph writes it. */
export const entityOf = <T extends z.ZodRawShape>(item: z.ZodObject<T>) =>
  z.object({ '@odata.context': z.string() }).extend(item.partial().shape);

/** Graph collection envelope schema for an item schema. */
export const collectionOf = <T extends z.ZodType>(item: T) =>
  z.object({
    '@odata.context': z.string(),
    '@odata.count': z.number().optional(),
    '@odata.nextLink': z.string().optional(),
    value: z.array(item),
  });
