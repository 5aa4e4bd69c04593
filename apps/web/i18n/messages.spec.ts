import { describe, expect, it } from 'vitest';
import en from '../messages/en.json';
import th from '../messages/th.json';
import vi from '../messages/vi.json';
import { LOCALES } from './locales';

type Catalogue = { [key: string]: string | Catalogue };

function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') entries.set(path, value);
    else for (const [inner, text] of flatten(value, path)) entries.set(inner, text);
  }
  return entries;
}

/** The `{arguments}` a message takes, without ICU keywords and plural branches. */
function argumentsOf(message: string): string[] {
  const names = new Set<string>();
  for (const match of message.matchAll(/\{\s*([a-zA-Z_][\w]*)\s*(?:,|\})/g)) names.add(match[1]!);
  return [...names].sort();
}

const CATALOGUES: Record<(typeof LOCALES)[number], Catalogue> = { en, vi, th };

describe('message catalogues', () => {
  const reference = flatten(en);

  it.each(LOCALES.filter((locale) => locale !== 'en'))(
    '%s has every key of English, and no other',
    (locale) => {
      const catalogue = flatten(CATALOGUES[locale]);
      expect([...reference.keys()].filter((key) => !catalogue.has(key))).toEqual([]);
      expect([...catalogue.keys()].filter((key) => !reference.has(key))).toEqual([]);
    },
  );

  it.each(LOCALES)(
    '%s messages take the same arguments as English, and none is empty',
    (locale) => {
      const catalogue = flatten(CATALOGUES[locale]);
      for (const [key, text] of reference) {
        const translated = catalogue.get(key) ?? '';
        expect(translated.trim(), `${locale}: ${key}`).not.toBe('');
        expect(argumentsOf(translated), `${locale}: ${key}`).toEqual(argumentsOf(text));
      }
    },
  );
});
