import type { ReactNode } from 'react';
import { SessionGate } from '@/lib/session';
import { AppProviders } from './app-providers';
import { AppShell } from './app-shell';

/**
 * The signed-in frame of a section. Each section's layout wraps itself in it *after* any
 * notFound() check: below the session gate, which renders nothing on the server, a notFound()
 * would never reach server rendering and the page would answer 200.
 */
export function SignedInShell({ children }: { children: ReactNode }) {
  return (
    <SessionGate>
      <AppProviders>
        <AppShell>{children}</AppShell>
      </AppProviders>
    </SessionGate>
  );
}
