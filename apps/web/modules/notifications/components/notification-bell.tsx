'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { BellIcon } from '@/components/ui/icons';
import { usePopover } from '@/components/ui/use-popover';
import { useServices } from '@/modules/shell/components/app-providers';
import { useNotificationList, useNotificationsUnread } from '../hooks/use-notifications';
import styles from './notification-bell.module.css';
import { NotificationItem } from './notification-item';

const BELL_ITEMS = 8;

/**
 * The bell: the unread count, and a panel with the latest notifications that takes focus and
 * keeps it while open. Everything else lives in the notification centre.
 */
export function NotificationBell() {
  const { notifications } = useServices();
  const unreadCount = useNotificationsUnread();
  const list = useNotificationList('all');
  const t = useTranslations('notifications');
  const [open, setOpen] = useState(false);
  const [now, setNow] = useState(() => new Date());
  const panelId = useId();
  const titleId = useId();
  const panel = useRef<HTMLElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  usePopover(open, panel, button, close);

  useEffect(() => {
    if (open) void notifications.load('all');
  }, [open, notifications]);

  const items = list.items?.slice(0, BELL_ITEMS) ?? null;
  return (
    <div className={styles.bell}>
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label={unreadCount > 0 ? t('bellUnread', { count: unreadCount }) : t('bell')}
        aria-expanded={open}
        aria-controls={panelId}
        data-testid="bell-button"
        onClick={() => {
          setNow(new Date());
          setOpen((value) => !value);
        }}
      >
        <BellIcon size={22} />
        {unreadCount > 0 && (
          <span className={`badge ${styles.badge}`} data-testid="bell-badge" aria-hidden="true">
            {unreadCount > 99 ? '99+' : unreadCount}
          </span>
        )}
      </button>
      {open && (
        <section
          ref={panel}
          id={panelId}
          className={styles.panel}
          role="dialog"
          aria-labelledby={titleId}
          data-testid="bell-panel"
          tabIndex={-1}
        >
          <header className={styles.header}>
            <h2 id={titleId}>{t('title')}</h2>
            <button
              type="button"
              className="button button-quiet"
              disabled={unreadCount === 0}
              onClick={() => void notifications.markAllRead()}
            >
              {t('markAllRead')}
            </button>
          </header>
          {items === null ? (
            <p className={`muted ${styles.state}`}>{list.failed ? t('failed') : t('loading')}</p>
          ) : items.length === 0 ? (
            <p className={`muted ${styles.state}`}>{t('empty')}</p>
          ) : (
            <ul className={styles.list}>
              {items.map((item) => (
                <NotificationItem
                  key={item.id}
                  item={item}
                  now={now}
                  onOpen={() => {
                    void notifications.markRead(item.id);
                    setOpen(false);
                  }}
                  onMarkRead={() => void notifications.markRead(item.id)}
                />
              ))}
            </ul>
          )}
          <footer className={styles.footer}>
            <Link href="/notifications" className="button" onClick={() => setOpen(false)}>
              {t('seeAll')}
            </Link>
          </footer>
        </section>
      )}
    </div>
  );
}
