'use client';

import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { safeNextPath } from '@/lib/safe-path';
import { useServices } from '@/modules/shell/components/app-providers';
import { notifyInBrowser } from '../lib/browser-notifications';

const COUNT_PREFIX = /^\(\d+\+?\) /;

/**
 * While the tab is hidden, its title counts what arrived since (messages from others, and
 * notifications other than mentions, whose message already counts), and, when the user opted
 * in, each arrival is a browser notification that opens its thread or link on click.
 */
export function TabAttention() {
  const { chatUnread, notifications, incoming } = useServices();
  const router = useRouter();
  const t = useTranslations('attention');

  useEffect(() => {
    let baseline = chatUnread.store.getState().total;
    let notificationsSince = 0;
    const showCount = () => {
      const title = document.title.replace(COUNT_PREFIX, '');
      if (document.visibilityState !== 'hidden') {
        document.title = title;
        return;
      }
      const count = Math.max(0, chatUnread.store.getState().total - baseline) + notificationsSince;
      document.title = count > 0 ? `(${count > 99 ? '99+' : count}) ${title}` : title;
    };
    const onVisibility = () => {
      baseline = chatUnread.store.getState().total;
      notificationsSince = 0;
      showCount();
    };
    const offChat = chatUnread.store.subscribe(showCount);
    const offNotifications = notifications.onArrival((notification) => {
      if (document.visibilityState !== 'hidden') return;
      const path = notification.link ? safeNextPath(notification.link) : '/notifications';
      if (notification.type !== 'mention') notificationsSince += 1;
      showCount();
      notifyInBrowser({
        title: notification.title,
        body: notification.body ?? undefined,
        tag: `notification-${notification.id}`,
        open: () => router.push(path),
      });
    });
    const offIncoming = incoming.subscribe((message) => {
      if (document.visibilityState !== 'hidden') return;
      notifyInBrowser({
        title: t('messageFrom', { name: message.author.name }),
        body: message.body.length > 140 ? `${message.body.slice(0, 139)}…` : message.body,
        tag: `thread-${message.conversationId}`,
        open: () => router.push(`/threads/${encodeURIComponent(message.conversationId)}`),
      });
    });
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      offChat();
      offNotifications();
      offIncoming();
      document.removeEventListener('visibilitychange', onVisibility);
      document.title = document.title.replace(COUNT_PREFIX, '');
    };
  }, [chatUnread, notifications, incoming, router, t]);

  return null;
}
