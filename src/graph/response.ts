/** Shapes Graph responses: @odata.context, $select projection. */

export function odataContext(
  baseUrl: string,
  entitySet: string,
  select?: readonly string[],
  single = false,
): string {
  const projection = select && select.length > 0 ? `(${select.join(',')})` : '';
  return `${baseUrl}/v1.0/$metadata#${entitySet}${projection}${single ? '/$entity' : ''}`;
}

/** Keeps only the requested properties (or the default set), in the order Graph lists them. */
export function project<T extends object>(resource: T, properties: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const name of properties) {
    if (name in resource) out[name] = (resource as Record<string, unknown>)[name];
  }
  return out as Partial<T>;
}
