import type { MailDictionary } from './dictionary.js';
import { deDE } from './i18n/de-DE.js';
import { enUS } from './i18n/en-US.js';
import { esES } from './i18n/es-ES.js';
import { frFR } from './i18n/fr-FR.js';

export const SHIPPED_MAIL_LANGUAGES = ['en-US', 'fr-FR', 'de-DE', 'es-ES'] as const;
export type MailLanguage = (typeof SHIPPED_MAIL_LANGUAGES)[number];
export const DEFAULT_MAIL_LANGUAGE: MailLanguage = 'en-US';

const dictionaries: Record<MailLanguage, MailDictionary> = {
  'en-US': enUS,
  'fr-FR': frFR,
  'de-DE': deDE,
  'es-ES': esES,
};

export function dictionaryFor(language: MailLanguage): MailDictionary {
  return dictionaries[language];
}

const BCP47_SHAPE = /^[a-z]{2,8}(-[a-z0-9]{1,8})*$/i;

/**
 * The language of `shipped` for a BCP 47 tag: an exact match (case-insensitive), else the first one with the
 * same primary subtag (`fr`, `fr-CA` → fr-FR). Undefined for anything else, including malformed tags. Mail
 * and pages share it, each with its own list.
 */
export function matchLanguageIn<L extends string>(
  tag: string | null | undefined,
  shipped: readonly L[],
): L | undefined {
  const candidate = tag?.trim().replace(/_/g, '-');
  if (!candidate || !BCP47_SHAPE.test(candidate)) return undefined;
  const lower = candidate.toLowerCase();
  const exact = shipped.find((language) => language.toLowerCase() === lower);
  if (exact) return exact;
  const primary = lower.split('-')[0];
  return shipped.find((language) => language.toLowerCase().split('-')[0] === primary);
}

export const matchShippedLanguage = (tag: string | null | undefined): MailLanguage | undefined =>
  matchLanguageIn(tag, SHIPPED_MAIL_LANGUAGES);

export interface MailLanguageCandidates {
  messageLanguage?: string | null;
  guestPreferredLanguage?: string | null;
  homeTenantLanguage?: string | null;
  invitingTenantLanguage?: string | null;
}

/**
 * PRODUCT §4.4: messageLanguage > the guest's preferredLanguage > the home tenant's language > the inviting
 * tenant's language > en-US. A candidate Foyer does not ship falls through to the next one.
 */
export function resolveMailLanguage(candidates: MailLanguageCandidates): MailLanguage {
  return (
    matchShippedLanguage(candidates.messageLanguage) ??
    matchShippedLanguage(candidates.guestPreferredLanguage) ??
    matchShippedLanguage(candidates.homeTenantLanguage) ??
    matchShippedLanguage(candidates.invitingTenantLanguage) ??
    DEFAULT_MAIL_LANGUAGE
  );
}
