import { FoyerError } from '../errors/catalogue.js';
import { type InvitationBody, invitationBody } from '../invitations/schemas.js';
import { onFirstUse } from '../platform/lazy.js';

/** The CSV packages serve bulk invitations only. */
const loadCsvParse = onFirstUse(() => import('csv-parse/sync'));
const loadCsvStringify = onFirstUse(() => import('csv-stringify/sync'));

/** The one header a bulk invitation file must start with (PRODUCT §7, Entra's bulk invite columns). */
export const BULK_COLUMNS = ['email', 'displayName', 'redirectUrl', 'message', 'language'] as const;
export const MAX_BULK_ROWS = 50_000;
/** The largest CSV file accepted, by the API and the console alike: 50,000 rows with long messages fit. */
export const MAX_BULK_FILE_MIB = 32;
export const MAX_BULK_FILE_BYTES = MAX_BULK_FILE_MIB * 1024 * 1024;
/** How many problems the report lists one by one; the counts are always complete. */
const LISTED_PROBLEMS = 1_000;

export interface BulkRow {
  /** 1 for the first row after the header. */
  row: number;
  email: string;
  displayName: string | null;
  redirectUrl: string | null;
  message: string | null;
  language: string | null;
  /** The POST /v1.0/invitations body this row stands for, when it is valid. */
  body: InvitationBody | null;
  error: string | null;
  /** The row number of the first row with the same address (this one is then skipped). */
  duplicateOf: number | null;
}

export interface ValidationReport {
  rows: number;
  validRows: number;
  invalidRowCount: number;
  duplicateRowCount: number;
  /** Rows that will fail, with the reason (the first 1,000). */
  invalidRows: Array<{ row: number; email: string; error: string }>;
  /** Each repeated address once, with every row it appears on; all but the first are skipped (first 1,000). */
  duplicates: Array<{ email: string; rows: number[] }>;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** UTF-8 with or without a BOM; anything else (Latin-1, UTF-16) is refused rather than read as mojibake. */
function decode(file: Buffer): string {
  const hasBom = UTF8_BOM.every((byte, i) => file[i] === byte);
  const bytes = hasBom ? file.subarray(3) : file;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FoyerError(
      'badRequest',
      'The file is not UTF-8 text. Save it as "CSV UTF-8" (with or without a byte order mark) and upload it again.',
    );
  }
}

const blankToNull = (value: string | undefined) => {
  const trimmed = (value ?? '').trim();
  return trimmed === '' ? null : trimmed;
};

/** The invitation a row asks for, validated by the very schema POST /v1.0/invitations uses. */
function bodyOf(row: Omit<BulkRow, 'body' | 'error' | 'duplicateOf'>) {
  const parsed = invitationBody.safeParse({
    invitedUserEmailAddress: row.email,
    inviteRedirectUrl: row.redirectUrl ?? '',
    ...(row.displayName && { invitedUserDisplayName: row.displayName }),
    sendInvitationMessage: true,
    ...((row.message || row.language) && {
      invitedUserMessageInfo: {
        ...(row.message && { customizedMessageBody: row.message }),
        ...(row.language && { messageLanguage: row.language }),
      },
    }),
  });
  if (parsed.success) return { body: parsed.data, error: null };
  const names: Record<string, string> = {
    invitedUserEmailAddress: 'email',
    inviteRedirectUrl: 'redirectUrl',
    invitedUserDisplayName: 'displayName',
    customizedMessageBody: 'message',
    messageLanguage: 'language',
  };
  const error = parsed.error.issues
    .map((issue) => `${names[String(issue.path.at(-1))] ?? issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  return { body: null, error };
}

/**
 * Reads and checks a bulk invitation file. What makes the whole file unusable (encoding, header, size, CSV
 * syntax) is a 400; a bad row or a repeated address is reported per row, and the job fails or skips that row.
 */
export async function parseBulkFile(file: Buffer): Promise<{ rows: BulkRow[]; report: ValidationReport }> {
  const { parse } = await loadCsvParse();
  const text = decode(file);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new FoyerError('badRequest', `Line ${line} contains a NUL character, which is not allowed.`);
  }
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, relax_column_count: false, bom: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FoyerError('badRequest', `The file is not valid CSV: ${reason}`);
  }
  const [header, ...data] = records;
  const expected = BULK_COLUMNS.join(',');
  if (!header || header.map((h) => h.trim()).join(',') !== expected) {
    throw new FoyerError(
      'badRequest',
      `The first line must be the header '${expected}'${header ? `; found '${header.join(',')}'` : ''}.`,
    );
  }
  if (data.length === 0) throw new FoyerError('badRequest', 'The file has a header but no rows.');
  if (data.length > MAX_BULK_ROWS) {
    throw new FoyerError(
      'badRequest',
      `A bulk invitation file holds at most ${MAX_BULK_ROWS.toLocaleString('en-US')} rows; this one has ${data.length.toLocaleString('en-US')}.`,
    );
  }
  const firstRowOf = new Map<string, number>();
  const rows: BulkRow[] = data.map((record, index) => {
    const [email, displayName, redirectUrl, message, language] = record;
    const base = {
      row: index + 1,
      // As written: a refused row shows the cell it had (the results file neutralises formula cells).
      email: email ?? '',
      displayName: blankToNull(displayName),
      redirectUrl: blankToNull(redirectUrl),
      message: blankToNull(message),
      language: blankToNull(language),
    };
    const { body, error } = bodyOf(base);
    let duplicateOf: number | null = null;
    if (body) {
      const key = body.invitedUserEmailAddress.toLowerCase();
      duplicateOf = firstRowOf.get(key) ?? null;
      if (duplicateOf === null) firstRowOf.set(key, base.row);
    }
    return { ...base, body, error, duplicateOf };
  });
  return { rows, report: reportOf(rows) };
}

function reportOf(rows: BulkRow[]): ValidationReport {
  const invalid = rows.filter((r) => r.error !== null);
  const repeated = new Map<number, number[]>();
  for (const row of rows) {
    if (row.duplicateOf === null) continue;
    repeated.set(row.duplicateOf, [...(repeated.get(row.duplicateOf) ?? [row.duplicateOf]), row.row]);
  }
  const duplicateRows = rows.filter((r) => r.duplicateOf !== null).length;
  return {
    rows: rows.length,
    validRows: rows.length - invalid.length - duplicateRows,
    invalidRowCount: invalid.length,
    duplicateRowCount: duplicateRows,
    invalidRows: invalid
      .slice(0, LISTED_PROBLEMS)
      .map((r) => ({ row: r.row, email: r.email, error: r.error ?? '' })),
    duplicates: [...repeated.entries()]
      .slice(0, LISTED_PROBLEMS)
      .map(([first, all]) => ({ email: rows[first - 1]?.email ?? '', rows: all })),
  };
}

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first: OWASP's CSV injection list) gets a
 * leading apostrophe, which spreadsheets show as text; the results file is opened by administrators in Excel.
 */
export function neutralised(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export interface ResultRow {
  email: string;
  status: string;
  userId: string | null;
  error: string | null;
}

export const RESULT_COLUMNS = ['email', 'status', 'userId', 'error'] as const;

export async function resultsCsv(rows: ResultRow[]): Promise<string> {
  const { stringify } = await loadCsvStringify();
  return stringify(
    rows.map((r) => [neutralised(r.email), r.status, neutralised(r.userId), neutralised(r.error)]),
    { header: true, columns: [...RESULT_COLUMNS], record_delimiter: '\r\n' },
  );
}
