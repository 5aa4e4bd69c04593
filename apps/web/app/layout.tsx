import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { AppProviders } from '@/components/app-providers';
import { SessionProvider } from '@/lib/session';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Booking chat', template: '%s · Booking chat' },
  description: 'Booking threads and notifications',
  icons: { icon: '/favicon.svg' },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so that Next can put this request's CSP nonce (proxy.ts) on its
  // scripts: a page prerendered at build time would carry none and be refused.
  await connection();
  return (
    <html lang="en">
      <body>
        <SessionProvider>
          <AppProviders>{children}</AppProviders>
        </SessionProvider>
      </body>
    </html>
  );
}
