/**
 * A database that cannot be used at all (missing, unreachable, credentials refused), said in one line for an
 * operator instead of a driver's stack trace. Never includes the password of the URL.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

const CONNECTION_CODES: Record<string, string> = {
  '3D000': 'the database does not exist',
  '28P01': 'the password was refused',
  '28000': 'the role is not allowed to connect',
  '3F000': 'the schema does not exist',
  ECONNREFUSED: 'the connection was refused (is PostgreSQL running there?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  SQLITE_CANTOPEN: 'the SQLite file cannot be opened',
};

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, errors, cause } = e as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    // pg reports "localhost" refused on ::1 and 127.0.0.1 as an AggregateError.
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...codesOf(inner));
    e = cause;
  }
  return codes;
}

/** Where the URL points, without credentials: `postgres://db.internal:5432/foyer` or the SQLite path. */
export function databaseLocation(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured database';
  }
}

/** The operator-facing error for a connection failure, or the error itself when it is something else. */
export function explainDatabaseError(error: unknown, url: string): unknown {
  const code = codesOf(error).find((c) => c in CONNECTION_CODES);
  if (!code) return error;
  return new DatabaseUnavailableError(
    `Cannot use the database ${databaseLocation(url)} (FOYER_DATABASE_URL): ${CONNECTION_CODES[code]}.`,
    { cause: error },
  );
}
