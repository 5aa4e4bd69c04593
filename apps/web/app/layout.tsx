import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import { cookies } from 'next/headers';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { AppProviders } from '@/modules/shell/components/app-providers';
import { SessionProvider } from '@/lib/session';
import { THEME_COOKIE, themeFromCookie } from '@/lib/preferences';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('app');
  return {
    title: { default: t('name'), template: `%s · ${t('name')}` },
    description: t('description'),
    icons: { icon: '/favicon.svg' },
  };
}

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  // The composer stays above the on-screen keyboard on phones.
  interactiveWidget: 'resizes-content',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f3f5f8' },
    { media: '(prefers-color-scheme: dark)', color: '#0e1217' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so that Next can put this request's CSP nonce (proxy.ts) on its
  // scripts: a page prerendered at build time would carry none and be refused.
  await connection();
  const [locale, cookieStore] = await Promise.all([getLocale(), cookies()]);
  // An explicit theme is set here, on the server: no script decides it in the browser.
  const theme = themeFromCookie(cookieStore.get(THEME_COOKIE)?.value);
  return (
    <html lang={locale} data-theme={theme}>
      <body>
        <NextIntlClientProvider>
          <SessionProvider>
            <AppProviders>{children}</AppProviders>
          </SessionProvider>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
