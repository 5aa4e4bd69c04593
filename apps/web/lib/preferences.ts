import { LOCALE_COOKIE, type Locale } from '@/i18n/locales';

/** The cookie that keeps an explicit theme; without it the system's preference applies. */
export const THEME_COOKIE = 'theme';
export const THEMES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEMES)[number];

/** `light` or `dark` when the user picked one; anything else follows the system. */
export function themeFromCookie(value: string | undefined): 'light' | 'dark' | undefined {
  return value === 'light' || value === 'dark' ? value : undefined;
}

const YEAR_SECONDS = 365 * 24 * 60 * 60;

function writeCookie(name: string, value: string | null): void {
  const base = `${name}=${value ?? ''}; Path=/; SameSite=Lax`;
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie =
    value === null ? `${base}; Max-Age=0${secure}` : `${base}; Max-Age=${YEAR_SECONDS}${secure}`;
}

/** Applies a theme at once and keeps it for the next visits (read on the server). */
export function chooseTheme(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  writeCookie(THEME_COOKIE, choice === 'system' ? null : choice);
}

export function currentTheme(): ThemeChoice {
  const value = document.documentElement.dataset.theme;
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Keeps a language for the next requests; the caller refreshes the page's server output. */
export function chooseLocale(locale: Locale): void {
  writeCookie(LOCALE_COOKIE, locale);
}
