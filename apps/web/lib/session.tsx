'use client';

import type { User } from '@chat/protocol';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { isApiError } from './api-client';
import { authApi } from './api';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'unavailable'; reason: string }
  | { status: 'signed-in'; user: User };

interface SessionContextValue {
  state: SessionState;
  /** After a login: the user the API answered with. */
  signedIn(user: User): void;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function useSessionState(): SessionContextValue {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSessionState needs <SessionProvider>');
  return session;
}

/** The signed-in user; only for components under the signed-in shell. */
export function useSession(): { user: User; logout(): Promise<void> } {
  const { state, logout } = useSessionState();
  if (state.status !== 'signed-in') throw new Error('useSession outside the signed-in shell');
  return { user: state.user, logout };
}

// One question per page load, however often the provider mounts (React may mount it twice).
let whoIsSignedIn: Promise<User> | null = null;

/**
 * Who is signed in, asked once per page load and kept across navigations. It always renders
 * its children, so a server-side notFound() below it still sets the 404 status.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    whoIsSignedIn ??= authApi.me();
    whoIsSignedIn.then(
      (user) => !cancelled && setState({ status: 'signed-in', user }),
      (error: unknown) => {
        if (cancelled) return;
        setState(
          isApiError(error, 401)
            ? { status: 'signed-out' }
            : {
                status: 'unavailable',
                reason: error instanceof Error ? error.message : String(error),
              },
        );
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const signedIn = useCallback((user: User) => {
    whoIsSignedIn = Promise.resolve(user);
    setState({ status: 'signed-in', user });
  }, []);
  const logout = useCallback(async () => {
    whoIsSignedIn = null;
    try {
      await authApi.logout();
    } finally {
      setState({ status: 'signed-out' });
    }
  }, []);

  return (
    <SessionContext.Provider value={{ state, signedIn, logout }}>
      {children}
    </SessionContext.Provider>
  );
}
