'use client';

import { createContext, useContext, useSyncExternalStore } from 'react';
import { chatApi } from '../api';
import { jitteredDelay } from '../polling';
import { ChatUnreadStore, type ChatUnreadState } from '../stores/chat-unread-store';
import { BASE_POLL_MS, POLL_JITTER_MS } from './use-notifications';

export function createChatUnreadStore(): ChatUnreadStore {
  return new ChatUnreadStore({
    fetchUnread: chatApi.unread,
    pollDelay: () => jitteredDelay(BASE_POLL_MS, POLL_JITTER_MS),
  });
}

export const ChatUnreadContext = createContext<ChatUnreadStore | null>(null);

export function useChatUnreadStore(): ChatUnreadStore {
  const store = useContext(ChatUnreadContext);
  if (!store) throw new Error('useChatUnread needs the app providers');
  return store;
}

/** True-unread chat counts (total and per conversation), live from `unread` frames. */
export function useChatUnread(): ChatUnreadState {
  const store = useChatUnreadStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
