import { matchLanguageIn } from '../../mail/templates/languages.js';
import { enUS, type PageDictionary } from './en-US.js';
import { frFR } from './fr-FR.js';
import { type PortalDictionary, portalEnUS } from './portal-en-US.js';
import { portalFrFR } from './portal-fr-FR.js';

export { fill } from '../../mail/templates/dictionary.js';
export type { PageDictionary, PortalDictionary };

/** Languages the pages ship in; a fr-FR dictionary missing a key does not compile (PageDictionary). */
export const PAGE_LANGUAGES = ['en-US', 'fr-FR'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

const dictionaries: Record<PageLanguage, PageDictionary> = { 'en-US': enUS, 'fr-FR': frFR };

export const dictionaryOf = (language: PageLanguage): PageDictionary => dictionaries[language];

/** Accept-Language tags by preference (q-values honoured; `*` and malformed entries ignored). */
function acceptedTags(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/**
 * The page language (issue: `ui_locales`, then the user's preferredLanguage, then Accept-Language, then
 * en-US). `ui_locales` is a space-separated list by preference (OIDC Core §3.1.2.1).
 */
export function pageLanguage(candidates: {
  uiLocales?: string | null;
  preferredLanguage?: string | null;
  acceptLanguage?: string | undefined;
}): PageLanguage {
  const ordered = [
    ...(candidates.uiLocales ?? '').split(' ').filter(Boolean),
    candidates.preferredLanguage ?? '',
    ...acceptedTags(candidates.acceptLanguage),
  ];
  for (const tag of ordered) {
    const match = matchLanguageIn(tag, PAGE_LANGUAGES);
    if (match) return match;
  }
  return 'en-US';
}

const portalDictionaries: Record<PageLanguage, PortalDictionary> = {
  'en-US': portalEnUS,
  'fr-FR': portalFrFR,
};

/** The admin console's and My Apps' strings (src/console, src/myapps). */
export const portalDictionaryOf = (language: PageLanguage): PortalDictionary => portalDictionaries[language];
