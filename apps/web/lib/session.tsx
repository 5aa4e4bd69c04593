'use client';

import type { User } from '@chat/protocol';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { isApiError } from './api-client';
import { authApi } from './api';

interface SessionValue {
  user: User;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs <SessionGate>');
  return session;
}

/** Only same-site paths are followed after login (no open redirect). */
export function safeNextPath(value: string | null | undefined): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')
    ? value
    : '/';
}

/** Renders its children for a signed-in user; sends everyone else to the login page. */
export function SessionGate({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const [user, setUser] = useState<User | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    authApi.me().then(
      (me) => !cancelled && setUser(me),
      (error: unknown) => {
        if (cancelled) return;
        if (isApiError(error, 401)) {
          router.replace(`/login?next=${encodeURIComponent(pathname)}`);
        } else {
          setFailure(error instanceof Error ? error.message : String(error));
        }
      },
    );
    return () => {
      cancelled = true;
    };
    // The session is checked once per page load; navigation keeps it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (failure) {
    return (
      <main className="center-page">
        <p role="alert">The service is unavailable: {failure}</p>
      </main>
    );
  }
  if (!user) {
    return (
      <main className="center-page" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  const logout = async () => {
    try {
      await authApi.logout();
    } finally {
      router.replace('/login');
    }
  };
  return <SessionContext.Provider value={{ user, logout }}>{children}</SessionContext.Provider>;
}
