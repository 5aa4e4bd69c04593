'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { threadsEnabled } from '@/lib/flags';
import { useSession } from '@/lib/session';
import { ConversationItem } from '@/modules/inbox/components/conversation-item';
import { useConversations } from '@/modules/inbox/hooks/use-conversations';
import { NotificationItem } from '@/modules/notifications/components/notification-item';
import { useNotificationList } from '@/modules/notifications/hooks/use-notifications';
import { useServices } from '@/modules/shell/components/app-providers';
import { useNow } from '@/modules/shell/hooks/use-now';
import styles from './dashboard.module.css';

const SHOWN = 5;

function UnreadThreads() {
  const t = useTranslations('dashboard');
  const { user } = useSession();
  const now = useNow(60_000);
  const { entries } = useConversations('unread');
  return (
    <section className={styles.card} aria-labelledby="unread-threads-title">
      <header className={styles.cardHeader}>
        <h2 id="unread-threads-title">{t('unreadThreads')}</h2>
        <Link href="/threads">{t('openInbox')}</Link>
      </header>
      {entries === null ? (
        <p className={styles.state}>{t('loading')}</p>
      ) : entries.length === 0 ? (
        <p className={styles.state}>{t('allRead')}</p>
      ) : (
        <ul className={styles.list} data-testid="dashboard-unread">
          {entries.slice(0, SHOWN).map((entry) => (
            <ConversationItem
              key={entry.id}
              entry={entry}
              active={false}
              now={now}
              currentUserId={user.id}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function LatestNotifications() {
  const t = useTranslations('dashboard');
  const { notifications } = useServices();
  const list = useNotificationList('all');
  const now = useNow(60_000);
  useEffect(() => {
    void notifications.load('all');
  }, [notifications]);
  return (
    <section className={styles.card} aria-labelledby="latest-notifications-title">
      <header className={styles.cardHeader}>
        <h2 id="latest-notifications-title">{t('latestNotifications')}</h2>
        <Link href="/notifications">{t('allNotifications')}</Link>
      </header>
      {list.items === null ? (
        <p className={styles.state}>{list.failed ? t('failed') : t('loading')}</p>
      ) : list.items.length === 0 ? (
        <p className={styles.state}>{t('noNotifications')}</p>
      ) : (
        <ul className={styles.list}>
          {list.items.slice(0, SHOWN).map((item) => (
            <NotificationItem
              key={item.id}
              item={item}
              now={now}
              onOpen={() => void notifications.markRead(item.id)}
              onMarkRead={() => void notifications.markRead(item.id)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Home: what needs the user now, their unread threads and latest notifications. */
export function Dashboard() {
  const t = useTranslations('dashboard');
  const { user } = useSession();
  const firstName = user.name.split(/\s+/)[0] ?? user.name;
  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <h1>{t('welcome', { name: firstName })}</h1>
        <p className="muted">{t('intro')}</p>
      </header>
      <div className={styles.grid}>
        {threadsEnabled && <UnreadThreads />}
        <LatestNotifications />
      </div>
    </div>
  );
}
