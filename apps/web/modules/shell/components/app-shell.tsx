'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { BellIcon, HomeIcon, InboxIcon } from '@/components/ui/icons';
import { threadsEnabled } from '@/lib/flags';
import { useChatUnreadTotal } from '@/modules/inbox/hooks/use-chat-unread';
import { NotificationBell } from '@/modules/notifications/components/notification-bell';
import { useNotificationsUnread } from '@/modules/notifications/hooks/use-notifications';
import styles from './app-shell.module.css';
import { ConnectionStatus } from './connection-status';
import { UserMenu } from './user-menu';

function NavBadge({ count, testId }: { count: number; testId: string }) {
  const t = useTranslations('nav');
  if (count <= 0) return null;
  return (
    <span className={`badge ${styles.badge}`} data-testid={testId}>
      <span aria-hidden="true">{count > 99 ? '99+' : count}</span>
      <span className="sr-only">{t('unread', { count })}</span>
    </span>
  );
}

function NavItem({
  href,
  active,
  icon,
  label,
  badge,
  testId,
}: {
  href: string;
  active: boolean;
  icon: ReactNode;
  label: string;
  badge?: ReactNode;
  testId?: string;
}) {
  return (
    <li>
      <Link
        href={href}
        className={styles.navLink}
        aria-current={active ? 'page' : undefined}
        data-testid={testId}
      >
        <span className={styles.navIcon}>
          {icon}
          {badge}
        </span>
        <span className={styles.navLabel}>{label}</span>
      </Link>
    </li>
  );
}

function ThreadsNavItem({ active }: { active: boolean }) {
  const t = useTranslations('nav');
  const total = useChatUnreadTotal();
  return (
    <NavItem
      href="/threads"
      active={active}
      icon={<InboxIcon />}
      label={t('inbox')}
      testId="nav-threads"
      badge={<NavBadge count={total} testId="threads-unread-badge" />}
    />
  );
}

function NotificationsNavItem({ active }: { active: boolean }) {
  const t = useTranslations('nav');
  const unread = useNotificationsUnread();
  return (
    <NavItem
      href="/notifications"
      active={active}
      icon={<BellIcon />}
      label={t('notifications')}
      testId="nav-notifications"
      badge={<NavBadge count={unread} testId="notifications-unread-badge" />}
    />
  );
}

/**
 * The top bar (connection, bell, account), the navigation (a rail on wide screens, a tab bar at
 * the bottom on phones, out of the way while a thread is open) and the page.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const t = useTranslations();
  const inThread = /^\/threads\/[^/]+/.test(pathname);
  return (
    <div className={styles.shell} data-in-thread={inThread || undefined}>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className={styles.topbar}>
        <Link href="/" className={styles.brand}>
          <span className={styles.logo} aria-hidden="true">
            <InboxIcon size={18} />
          </span>
          <span className={styles.brandName}>{t('app.name')}</span>
        </Link>
        <div className={styles.actions}>
          <ConnectionStatus />
          <NotificationBell />
          <UserMenu />
        </div>
      </header>
      <nav className={styles.nav} aria-label={t('nav.main')}>
        <ul>
          <NavItem href="/" active={pathname === '/'} icon={<HomeIcon />} label={t('nav.home')} />
          {threadsEnabled && <ThreadsNavItem active={pathname.startsWith('/threads')} />}
          <NotificationsNavItem active={pathname.startsWith('/notifications')} />
        </ul>
      </nav>
      <main id="main" className={styles.main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
