'use client';

import { createContext, useContext, useSyncExternalStore } from 'react';
import { notificationApi } from '../api';
import { jitteredDelay } from '../polling';
import { NotificationCenter, type NotificationCenterState } from '../stores/notification-center';

/** The safety-net poll of the bell: the socket is the path, this catches what it missed. */
export const BASE_POLL_MS = 300_000;
/** Spread of the poll (± this much), so tabs opened together do not poll together. */
export const POLL_JITTER_MS = 60_000;

export function createNotificationCenter(random?: () => number): NotificationCenter {
  return new NotificationCenter({
    api: notificationApi,
    pollDelay: () => jitteredDelay(BASE_POLL_MS, POLL_JITTER_MS, random),
  });
}

export const NotificationCenterContext = createContext<NotificationCenter | null>(null);

export function useNotificationCenter(): NotificationCenter {
  const center = useContext(NotificationCenterContext);
  if (!center) throw new Error('useNotificationCenter needs the app providers');
  return center;
}

export function useNotifications(): NotificationCenterState {
  const center = useNotificationCenter();
  return useSyncExternalStore(center.subscribe, center.getSnapshot, center.getSnapshot);
}

/**
 * Unread notifications for the bell badge: live from `notification.new` /
 * `notification.unread` on the shared socket, refetched after every reconnect, and polled every
 * `BASE_POLL_MS` ± `POLL_JITTER_MS`.
 */
export function useUnreadCount(): number {
  return useNotifications().unreadCount;
}
