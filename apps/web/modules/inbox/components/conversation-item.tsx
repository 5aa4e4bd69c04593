'use client';

import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { ConversationAvatar } from '@/components/ui/avatar';
import { formatFull, formatShort } from '@/lib/dates';
import type { InboxEntry } from '../hooks/use-conversations';
import styles from './conversation-item.module.css';

export function ConversationItem({
  entry,
  active,
  now,
  currentUserId,
}: {
  entry: InboxEntry;
  active: boolean;
  now: Date;
  currentUserId: string;
}) {
  const t = useTranslations('inbox');
  const locale = useLocale();
  const last = entry.lastMessage;
  const lastAt = last ? new Date(last.createdAt) : null;
  const author = last ? (last.author.id === currentUserId ? t('you') : last.author.name) : null;
  return (
    <li>
      <Link
        href={`/threads/${encodeURIComponent(entry.id)}`}
        className={entry.unread > 0 ? `${styles.item} ${styles.unread}` : styles.item}
        aria-current={active ? 'page' : undefined}
        data-testid={`thread-row-${entry.id}`}
      >
        <ConversationAvatar
          id={entry.id}
          title={entry.title}
          bookingRef={entry.bookingRef}
          size={44}
        />
        <span className={styles.main}>
          <span className={styles.top}>
            <span className={styles.title}>{entry.title}</span>
            {lastAt && (
              <time
                dateTime={last!.createdAt}
                title={formatFull(lastAt, locale)}
                className={styles.time}
              >
                {formatShort(lastAt, now, locale)}
              </time>
            )}
          </span>
          <span className={styles.bottom}>
            <span className={styles.preview}>
              {/* The ref, unless the title is the ref already. */}
              {!entry.title.includes(entry.bookingRef) && (
                <>
                  <span className={styles.ref}>{entry.bookingRef}</span>
                  {' · '}
                </>
              )}
              {last ? `${author}: ${last.body}` : t('noMessages')}
            </span>
            {entry.unread > 0 && (
              <span className="badge" data-testid="thread-unread-badge">
                <span aria-hidden="true">{entry.unread > 99 ? '99+' : entry.unread}</span>
                <span className="sr-only">{t('unreadCount', { count: entry.unread })}</span>
              </span>
            )}
          </span>
        </span>
      </Link>
    </li>
  );
}
