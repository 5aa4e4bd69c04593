'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { useServices } from '@/modules/shell/components/app-providers';
import { useNotificationList, useNotificationsUnread } from '../hooks/use-notifications';
import {
  browserNotificationState,
  disableBrowserNotifications,
  enableBrowserNotifications,
  type BrowserNotificationState,
} from '../lib/browser-notifications';
import type { NotificationFilter } from '../state/notifications-store';
import styles from './notification-centre.module.css';
import { NotificationItem } from './notification-item';

function BrowserNotificationsSetting() {
  const t = useTranslations('notifications.browser');
  const [state, setState] = useState<BrowserNotificationState | null>(null);
  // eslint-disable-next-line react-hooks/set-state-in-effect -- the permission is only known in the browser
  useEffect(() => setState(browserNotificationState()), []);
  if (state === null || state === 'unsupported') return null;
  return (
    <section className={styles.setting} aria-labelledby="browser-notifications-title">
      <div>
        <h2 id="browser-notifications-title">{t('title')}</h2>
        <p className="muted">{t(state === 'denied' ? 'denied' : 'description')}</p>
      </div>
      {state !== 'denied' && (
        <button
          type="button"
          className={state === 'on' ? 'button' : 'button button-primary'}
          aria-pressed={state === 'on'}
          data-testid="browser-notifications-toggle"
          onClick={async () => {
            if (state === 'on') {
              disableBrowserNotifications();
              setState('off');
            } else {
              setState(await enableBrowserNotifications());
            }
          }}
        >
          {t(state === 'on' ? 'turnOff' : 'turnOn')}
        </button>
      )}
    </section>
  );
}

/** Every notification, page by page, all or only the unread ones, with mark read. */
export function NotificationCentre() {
  const { notifications } = useServices();
  const t = useTranslations('notifications');
  const [filter, setFilter] = useState<NotificationFilter>('all');
  const list = useNotificationList(filter);
  const unreadCount = useNotificationsUnread();
  const [now] = useState(() => new Date());

  useEffect(() => {
    void notifications.load(filter);
  }, [filter, notifications]);

  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <h1>{t('title')}</h1>
        <div className={styles.tools}>
          <div className="segmented" role="group" aria-label={t('filter')}>
            {(['all', 'unread'] as const).map((option) => (
              <button
                key={option}
                type="button"
                aria-pressed={filter === option}
                data-testid={`notifications-filter-${option}`}
                onClick={() => setFilter(option)}
              >
                {t(`filters.${option}`)}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="button"
            disabled={unreadCount === 0}
            onClick={() => void notifications.markAllRead()}
          >
            {t('markAllRead')}
          </button>
        </div>
      </header>
      <section className={styles.card} aria-live="polite" aria-busy={list.loading}>
        {list.items === null ? (
          <p className={styles.state}>{list.failed ? t('failed') : t('loading')}</p>
        ) : list.items.length === 0 ? (
          <div className={styles.state}>
            <p className={styles.emptyTitle}>
              {filter === 'unread' ? t('emptyUnreadTitle') : t('emptyTitle')}
            </p>
            <p className="muted">{t('emptyBody')}</p>
          </div>
        ) : (
          <ul className={styles.list} data-testid="notification-list">
            {list.items.map((item) => (
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
        {list.items !== null && list.hasMore && (
          <div className={styles.more}>
            <button
              type="button"
              className="button"
              disabled={list.loading}
              data-testid="notifications-more"
              onClick={() => void notifications.loadMore(filter)}
            >
              {list.loading ? t('loading') : t('more')}
            </button>
          </div>
        )}
        {list.items !== null && list.failed && (
          <p role="alert" className={styles.state}>
            {t('failed')}
          </p>
        )}
      </section>
      <BrowserNotificationsSetting />
    </div>
  );
}
