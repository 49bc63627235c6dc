import * as z from 'zod';

export interface MailAddress {
  address: string;
  name?: string | null;
}

// C0/C1 controls, DEL, and the Unicode line/paragraph separators: any of them in a header value could end the
// header line (CR/LF) or smuggle one in after a later re-encoding, so none ever reaches nodemailer.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const HEADER_UNSAFE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const HAS_HEADER_UNSAFE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

/** A single-line header value (display name, subject): controls become a space, runs of spaces collapse. */
export function headerSafe(value: string, maxLength = 300): string {
  const flat = value.replace(HEADER_UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

const emailSchema = z.email();

/** The address part is never repaired: anything but a plain, valid address is refused at enqueue time. */
export function assertMailAddress(address: string): string {
  if (HAS_HEADER_UNSAFE.test(address) || !emailSchema.safeParse(address).success) {
    throw new Error(`Not a valid email address: ${JSON.stringify(address.slice(0, 100))}`);
  }
  return address;
}

export function safeAddress(input: MailAddress): { address: string; name: string | null } {
  const name = input.name ? headerSafe(input.name, 200) : '';
  return { address: assertMailAddress(input.address.trim()), name: name === '' ? null : name };
}

/** Extra headers: a conservative name syntax, and never one of the headers the outbox itself owns. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'message-id',
  'date',
  'sender',
  'content-type',
  'content-transfer-encoding',
  'mime-version',
]);

export function safeHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9-]{0,75}$/.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new Error(`Header '${headerSafe(name, 80)}' may not be set on an outbox message`);
    }
    result[name] = headerSafe(value, 900);
  }
  return result;
}

/**
 * The Message-ID is a pure function of the outbox id, so every (re)send of one row carries the same id and a
 * duplicate after a crash mid-send is recognisable by any receiver (RFC 5322 §3.6.4).
 */
export function messageIdFor(outboxId: string, mailFrom: string): string {
  const domain = mailFrom.split('@')[1] ?? 'foyer.localhost';
  return `<${outboxId}.outbox@${domain}>`;
}

/** The domain's conventional rendering of an address for display ("Name <a@b>"), never used as a header. */
export function displayAddress(input: { address: string; name?: string | null }): string {
  return input.name ? `${input.name} <${input.address}>` : input.address;
}
