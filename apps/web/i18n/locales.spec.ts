import { describe, expect, it } from 'vitest';
import { negotiateLocale } from './locales';

describe(negotiateLocale.name, () => {
  it('follows the browser on a first visit, by weight, region or not', () => {
    expect(negotiateLocale(undefined, 'vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7')).toBe('vi');
    expect(negotiateLocale(undefined, 'th-TH')).toBe('th');
    expect(negotiateLocale(undefined, 'fr-FR,fr;q=0.9,th;q=0.5,vi;q=0.4')).toBe('th');
    expect(negotiateLocale(undefined, 'en;q=0.2,vi;q=0.8')).toBe('vi');
    expect(negotiateLocale(undefined, 'vi;q=0,en')).toBe('en');
  });

  it('keeps a choice made with the switcher', () => {
    expect(negotiateLocale('th', 'vi-VN,vi;q=0.9')).toBe('th');
  });

  it('falls back to English for anything else', () => {
    expect(negotiateLocale(undefined, undefined)).toBe('en');
    expect(negotiateLocale('xx', 'de-DE,*;q=0.5')).toBe('en');
    expect(negotiateLocale(undefined, ';;,,q=1')).toBe('en');
  });
});
