/**
 * Text the databases can store and compare. PostgreSQL refuses a NUL character in `text` (SQLite keeps it, so
 * the two would disagree), and a btree index entry must stay under ~2.7 KB: values that reach SQL are checked
 * against these first, so a hostile value is a 400, never a database error.
 */
export const NUL = '\u0000';

export const hasNul = (value: string): boolean => value.includes(NUL);

export const utf8Length = (value: string): number => Buffer.byteLength(value, 'utf8');

/**
 * Where in a parsed request body a NUL character hides (in a value or a property name), as a path such as
 * `invitedUserMessageInfo.ccRecipients.0.emailAddress.name`; undefined when there is none.
 */
export function nulPath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return hasNul(value) ? path.join('.') || '(value)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  // Raw bytes (a text/csv upload) are decoded and checked by the route that takes them (src/bulk/csv.ts).
  if (value instanceof Uint8Array) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (hasNul(key)) return [...path, key.replaceAll(NUL, '\\0')].join('.');
    const found = nulPath(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** An identifier a client sent that cannot name anything stored (lookups answer "not found" without SQL). */
export const isUnstorableKey = (value: string, maxLength = 1024): boolean =>
  hasNul(value) || value.length > maxLength;

/** The domain of an email address, lower-cased: what follows its last `@`. */
export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();
