'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, type ReactNode } from 'react';
import { useSessionState } from '@/lib/session';
import { useServicesReady } from './app-providers';
import { AppShell } from './app-shell';

/**
 * The signed-in frame of a section: the shell once the session and its socket are there,
 * the login page for everyone else. Each section's layout runs its own notFound() checks on
 * the server before rendering this.
 */
export function SignedInShell({ children }: { children: ReactNode }) {
  const { state } = useSessionState();
  const ready = useServicesReady();
  const router = useRouter();
  const pathname = usePathname();
  const t = useTranslations('shell');

  useEffect(() => {
    if (state.status === 'signed-out') {
      router.replace(`/login?next=${encodeURIComponent(pathname)}`);
    }
  }, [state.status, router, pathname]);

  if (state.status === 'unavailable') {
    return (
      <main className="center-page">
        <h1>{t('unavailableTitle')}</h1>
        <p role="alert" className="muted">
          {t('unavailable', { reason: state.reason })}
        </p>
      </main>
    );
  }
  if (state.status !== 'signed-in' || !ready) {
    return (
      <main className="center-page" aria-busy="true">
        <p className="muted">{t('loading')}</p>
      </main>
    );
  }
  return <AppShell>{children}</AppShell>;
}
