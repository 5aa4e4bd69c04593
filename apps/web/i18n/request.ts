import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, negotiateLocale, type Locale } from './locales';

// Without locale routing: the language comes from the switcher's cookie or the browser's
// Accept-Language, read here per request, so no middleware is needed.
export default getRequestConfig(async () => {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  const locale = negotiateLocale(
    cookieStore.get(LOCALE_COOKIE)?.value,
    headerList.get('accept-language'),
  );
  return { locale, messages: await loadMessages(locale) };
});

async function loadMessages(locale: Locale) {
  switch (locale) {
    case 'vi':
      return (await import('../messages/vi.json')).default;
    case 'th':
      return (await import('../messages/th.json')).default;
    default:
      return (await import('../messages/en.json')).default;
  }
}
