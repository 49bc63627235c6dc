import { describe, expect, it } from 'vitest';
import { enUS } from '../../src/web/i18n/en-US.js';
import { frFR } from '../../src/web/i18n/fr-FR.js';
import { pageLanguage } from '../../src/web/i18n/index.js';

describe('page dictionaries', () => {
  it('fr-FR has every key of en-US, each translated, with the same placeholders', () => {
    expect(Object.keys(frFR).sort()).toEqual(Object.keys(enUS).sort());
    const sameAsEnglish = Object.entries(enUS).filter(
      ([key, value]) => frFR[key as keyof typeof enUS] === value && !['brand', 'passcodeLabel'].includes(key),
    );
    expect(sameAsEnglish).toEqual([]);
    for (const [key, value] of Object.entries(enUS)) {
      const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect({ key, placeholders: placeholders(frFR[key as keyof typeof enUS]) }).toEqual({
        key,
        placeholders: placeholders(value),
      });
    }
  });

  it('picks ui_locales, then the user preference, then Accept-Language, then en-US', () => {
    expect(pageLanguage({ uiLocales: 'fr-CA en', acceptLanguage: 'en-US' })).toBe('fr-FR');
    expect(pageLanguage({ uiLocales: 'de', preferredLanguage: 'fr', acceptLanguage: 'en' })).toBe('fr-FR');
    expect(pageLanguage({ acceptLanguage: 'de-DE,fr;q=0.8,en;q=0.9' })).toBe('en-US');
    expect(pageLanguage({ acceptLanguage: 'de-DE,fr;q=0.9,en;q=0.8' })).toBe('fr-FR');
    expect(pageLanguage({ acceptLanguage: 'x-bogus!!, *' })).toBe('en-US');
  });
});
