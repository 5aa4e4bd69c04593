'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { threadsEnabled } from '@/lib/flags';
import { useChatUnread } from '@/lib/hooks/use-chat-unread';
import { useSession } from '@/lib/session';
import { ConnectionStatus } from './connection-status';
import { NotificationBell } from './notification-bell';

function ThreadsNavItem({ active }: { active: boolean }) {
  const { total } = useChatUnread();
  return (
    <li>
      <Link
        href="/threads"
        className="nav-link"
        aria-current={active ? 'page' : undefined}
        data-testid="nav-threads"
      >
        <span>Threads</span>
        {total > 0 && (
          <span className="badge" data-testid="threads-unread-badge">
            <span aria-hidden="true">{total}</span>
            <span className="sr-only">{total} unread</span>
          </span>
        )}
      </Link>
    </li>
  );
}

/** Sidebar, top bar and the page. The sidebar becomes a strip under the top bar on phones. */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const { user, logout } = useSession();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Booking chat
        </Link>
        <div className="topbar-actions">
          <ConnectionStatus />
          <NotificationBell />
          <span className="user-name" data-testid="current-user">
            {user.name}
          </span>
          <button type="button" className="button-secondary" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          <li>
            <Link
              href="/"
              className="nav-link"
              aria-current={pathname === '/' ? 'page' : undefined}
            >
              Home
            </Link>
          </li>
          {threadsEnabled && <ThreadsNavItem active={pathname.startsWith('/threads')} />}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
