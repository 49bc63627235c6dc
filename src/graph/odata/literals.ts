import type { PropertySpec } from './entity.js';
import { GUID_PATTERN, type Token } from './lexer.js';

/** A literal after type checking: booleans are 0/1 (their stored form), datetimes are normalised ISO text. */
export type FilterValue = string | number | null;

/** Checks a literal against the property's type; undefined means the literal has the wrong type. */
export function coerce(spec: PropertySpec, token: Token): FilterValue | undefined {
  switch (spec.type) {
    case 'boolean':
      if (token.kind !== 'identifier') return undefined;
      return token.value === 'true' ? 1 : token.value === 'false' ? 0 : undefined;
    case 'guid':
      if (token.kind !== 'guid' && token.kind !== 'string') return undefined;
      return GUID_PATTERN.test(token.value) ? token.value.toLowerCase() : undefined;
    case 'datetime':
      if (token.kind !== 'datetime' && token.kind !== 'string') return undefined;
      return normaliseDateTime(token.value);
    case 'integer':
      // Stored in a 32-bit integer column on PostgreSQL; larger literals could never match.
      if (token.kind !== 'number' || !/^\d{1,10}$/.test(token.value)) return undefined;
      return Number(token.value) <= 2_147_483_647 ? Number(token.value) : undefined;
    case 'string': {
      if (token.kind !== 'string') return undefined;
      if (spec.enumValues === undefined) return token.value;
      const wanted = token.value.toLowerCase();
      return spec.enumValues.find((candidate) => candidate.toLowerCase() === wanted);
    }
  }
}

const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/** Columns hold Date#toISOString() text, so literals are normalised to exactly that form before comparing. */
function normaliseDateTime(text: string): string | undefined {
  const match = ISO_DATETIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = match.slice(1).map(Number);
  // Date() rolls 2024-02-30 over to March; OData wants it rejected.
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  const inRange =
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    (Number.isNaN(hour) || hour! < 24) &&
    (Number.isNaN(minute) || minute! < 60) &&
    (Number.isNaN(second) || second! < 60) &&
    (Number.isNaN(offsetHour) || offsetHour! < 24) &&
    (Number.isNaN(offsetMinute) || offsetMinute! < 60);
  const date = new Date(text);
  return inRange && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}
