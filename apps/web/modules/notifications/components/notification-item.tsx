'use client';

import type { Notification } from '@chat/protocol';
import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { BellIcon, CheckIcon } from '@/components/ui/icons';
import { formatFull, formatShort } from '@/lib/dates';
import { safeNextPath } from '@/lib/safe-path';
import styles from './notification-item.module.css';

/**
 * One notification: its title (a link when it points somewhere in the app), body and time, and
 * a way to mark it read. Text is rendered as text, never as HTML.
 */
export function NotificationItem({
  item,
  now,
  onOpen,
  onMarkRead,
}: {
  item: Notification;
  now: Date;
  onOpen(): void;
  onMarkRead(): void;
}) {
  const t = useTranslations('notifications');
  const locale = useLocale();
  const createdAt = new Date(item.createdAt);
  const unread = !item.readAt;
  return (
    <li
      className={unread ? `${styles.item} ${styles.unread}` : styles.item}
      data-testid="bell-item"
      data-unread={unread || undefined}
    >
      <span className={styles.kind} aria-hidden="true">
        {item.type === 'mention' ? '@' : <BellIcon size={16} />}
      </span>
      <div className={styles.text}>
        {item.link ? (
          <Link href={safeNextPath(item.link)} className={styles.title} onClick={onOpen}>
            {item.title}
          </Link>
        ) : (
          <strong className={styles.title}>{item.title}</strong>
        )}
        {item.body && <p className={styles.body}>{item.body}</p>}
        <time dateTime={item.createdAt} title={formatFull(createdAt, locale)} className="muted">
          {formatShort(createdAt, now, locale)}
        </time>
      </div>
      {unread ? (
        <button
          type="button"
          className={`icon-button ${styles.markRead}`}
          aria-label={t('markOneRead', { title: item.title })}
          title={t('markRead')}
          onClick={onMarkRead}
        >
          <CheckIcon size={18} />
        </button>
      ) : (
        <span className="sr-only">{t('read')}</span>
      )}
    </li>
  );
}
