import { randomInt } from 'node:crypto';
import type { Services } from '../app/services.js';
import type { CodePurpose } from '../db/schema.js';
import { isFoyerError } from '../errors/catalogue.js';
import { enqueueMail } from '../mail/index.js';
import { hashSecret, secretMatches } from '../platform/secrets.js';
import { consume, type Limit } from '../ratelimit/limiter.js';
import type { TenantRow } from '../tenants/store.js';
import { html } from '../web/html.js';
import { dictionaryOf, fill, type PageLanguage } from '../web/i18n/index.js';

/**
 * Codes mailed to an address (PRODUCT §4.3 step 5, sign-up, password reset): 8 digits, valid 30 minutes, at
 * most 5 tries each, single use, stored as a keyed hash bound to the purpose and the address (a code read for
 * one address proves nothing for another). A newer code replaces the older ones; sends are limited per address.
 */
export const CODE_TTL_MS = 30 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const CODE_SEND_WINDOW_MS = 15 * 60_000;
/** Codes one client address may have mailed to one address per window: a person asking again and again. */
export const MAX_CODES_PER_SENDER = 5;
/** Codes any number of senders may have mailed to one address per window: no flooding of a mailbox. */
export const MAX_CODES_PER_ADDRESS = 20;

const hashOf = (services: Services, purpose: CodePurpose, email: string, code: string) =>
  hashSecret(`code:${purpose}:${email.toLowerCase()}:${code}`, services.config.secret);

export type IssueResult = 'sent' | 'tooMany';

/** True while a counter stays within its limit (counted like every other throttle, in src/ratelimit). */
async function allowed(services: Services, bucket: string, limit: Limit): Promise<boolean> {
  try {
    await consume(services, bucket, limit);
    return true;
  } catch (error) {
    if (isFoyerError(error) && error.key === 'tooManyRequests') return false;
    throw error;
  }
}

export async function issueCode(
  services: Services,
  input: {
    purpose: CodePurpose;
    email: string;
    /** Whose name the mail carries; null for an instance-level mail (sign-up at /signup). */
    tenant: TenantRow | null;
    language: PageLanguage;
    ipAddress: string;
  },
): Promise<IssueResult> {
  const emailLower = input.email.toLowerCase();
  const now = services.clock.now();
  // Per sender and per address: another client's requests cannot use up the person's own allowance.
  const window = { windowSeconds: CODE_SEND_WINDOW_MS / 1000 };
  const withinLimits = await Promise.all([
    allowed(services, `code:${input.purpose}:${emailLower}:${input.ipAddress}`, {
      ...window,
      limit: MAX_CODES_PER_SENDER,
    }),
    allowed(services, `code:${input.purpose}:${emailLower}`, { ...window, limit: MAX_CODES_PER_ADDRESS }),
  ]);
  if (withinLimits.includes(false)) return 'tooMany';

  const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
  await services.db.transaction().execute(async (trx) => {
    // Only the newest code of a purpose works: asking again retires the earlier ones.
    await trx
      .updateTable('one_time_codes')
      .set({ consumed_at: now.toISOString() })
      .where('purpose', '=', input.purpose)
      .where('email_lower', '=', emailLower)
      .where('consumed_at', 'is', null)
      .execute();
    await trx
      .insertInto('one_time_codes')
      .values({
        id: services.ids.uuid(),
        purpose: input.purpose,
        email_lower: emailLower,
        code_hash: hashOf(services, input.purpose, emailLower, code),
        attempts: 0,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + CODE_TTL_MS).toISOString(),
        consumed_at: null,
      })
      .execute();
    const t = dictionaryOf(input.language);
    const organization = input.tenant?.display_name ?? t.brand;
    const values = { organization, code };
    const body = html`<!DOCTYPE html><html lang="${input.language}"><body>
<p>${fill(t.codeMailIntro, values)}</p>
<p style="font-size:1.75rem;letter-spacing:.2em;font-weight:600">${code}</p>
<p>${t.codeMailValidity}</p>
<p>${t.codeMailIgnore}</p>
</body></html>`;
    await enqueueMail(trx, services, {
      tenantId: input.tenant?.id ?? null,
      category: `code.${input.purpose}`,
      to: [{ address: input.email, name: null }],
      cc: [],
      fromName: organization,
      replyTo: null,
      subject: fill(t.codeMailSubject, values),
      html: body.value,
      text: `${fill(t.codeMailIntro, values)}\n\n${code}\n\n${t.codeMailValidity}\n${t.codeMailIgnore}\n`,
      language: input.language,
      headers: { 'Content-Language': input.language },
      relatedId: null,
      correlationId: null,
      dedupeKey: null,
    });
  });
  return 'sent';
}

export type CheckResult = 'ok' | 'wrong' | 'exhausted';

/** Checks a code: the newest live one of the purpose and address, within its tries; consumed when it matches. */
export async function checkCode(
  services: Services,
  input: { purpose: CodePurpose; email: string; code: string },
): Promise<CheckResult> {
  const emailLower = input.email.toLowerCase();
  const now = services.clock.now().toISOString();
  const row = await services.db
    .selectFrom('one_time_codes')
    .selectAll()
    .where('purpose', '=', input.purpose)
    .where('email_lower', '=', emailLower)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!row || row.attempts >= MAX_CODE_ATTEMPTS) return 'exhausted';
  const code = input.code.replace(/\s+/g, '');
  if (
    !/^\d{8}$/.test(code) ||
    !secretMatches(`code:${input.purpose}:${emailLower}:${code}`, row.code_hash, services.config.secret)
  ) {
    // Guarded on the attempts seen, so parallel guesses cannot share one try.
    const counted = await services.db
      .updateTable('one_time_codes')
      .set({ attempts: row.attempts + 1 })
      .where('id', '=', row.id)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    return Number(counted.numUpdatedRows) === 1 && row.attempts + 1 < MAX_CODE_ATTEMPTS
      ? 'wrong'
      : 'exhausted';
  }
  const consumed = await services.db
    .updateTable('one_time_codes')
    .set({ consumed_at: now })
    .where('id', '=', row.id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(consumed.numUpdatedRows) === 1 ? 'ok' : 'exhausted';
}
