'use client';

import { useStore } from 'zustand';
import { useServices } from '@/modules/shell/components/app-providers';

/** Unread chat messages over every thread the user takes part in. */
export function useChatUnreadTotal(): number {
  return useStore(useServices().chatUnread.store, (state) => state.total);
}

/** Unread per conversation, live. */
export function useChatUnreadByConversation(): Record<string, number> {
  return useStore(useServices().chatUnread.store, (state) => state.conversations);
}
