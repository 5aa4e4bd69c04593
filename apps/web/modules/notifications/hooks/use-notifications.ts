'use client';

import { useStore } from 'zustand';
import { useServices } from '@/modules/shell/components/app-providers';
import type { NotificationFilter, NotificationList } from '../state/notifications-store';

export function useNotificationsUnread(): number {
  return useStore(useServices().notifications.store, (state) => state.unreadCount);
}

export function useNotificationList(filter: NotificationFilter): NotificationList {
  return useStore(useServices().notifications.store, (state) => state.lists[filter]);
}
