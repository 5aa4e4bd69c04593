'use client';

import type { Message } from '@chat/protocol';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { chatApi, notificationApi } from '@/lib/api';
import type { RealtimeConnection } from '@/lib/realtime/connection';
import { createRealtimeConnection } from '@/lib/realtime/create-connection';
import { RealtimeContext } from '@/lib/realtime/realtime-context';
import { useSessionState } from '@/lib/session';
import {
  createChatUnreadStore,
  type ChatUnreadStore,
} from '@/modules/inbox/state/chat-unread-store';
import {
  createConversationsStore,
  type ConversationsStore,
} from '@/modules/inbox/state/conversations-store';
import {
  createNotificationsStore,
  type NotificationsStore,
} from '@/modules/notifications/state/notifications-store';
import { TabAttention } from '@/modules/notifications/components/tab-attention';

/** Messages from others as an open thread receives them, for whoever wants to tell the user. */
export interface IncomingFeed {
  subscribe(listener: (message: Message) => void): () => void;
  emit(message: Message): void;
}

function createIncomingFeed(): IncomingFeed {
  const listeners = new Set<(message: Message) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(message) {
      for (const listener of listeners) listener(message);
    },
  };
}

/** What a signed-in tab shares across pages: one socket and the stores it feeds. */
export interface Services {
  userId: string;
  connection: RealtimeConnection;
  notifications: NotificationsStore;
  chatUnread: ChatUnreadStore;
  /** The inbox's list. */
  conversations: ConversationsStore;
  /** The few threads with unread messages, for the home page. */
  unreadConversations: ConversationsStore;
  incoming: IncomingFeed;
}

const ServicesContext = createContext<Services | null>(null);

/** The signed-in tab's socket and stores; only under the signed-in shell. */
export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices needs the app providers and a signed-in user');
  return services;
}

/** True once the signed-in user's socket and stores exist. */
export function useServicesReady(): boolean {
  return useContext(ServicesContext) !== null;
}

/**
 * One socket per signed-in tab, shared by chat and the bell, and the stores fed by it. It lives
 * in the root layout, so navigating between sections keeps the socket and the counts.
 */
export function AppProviders({ children }: { children: ReactNode }) {
  const { state, logout } = useSessionState();
  const userId = state.status === 'signed-in' ? state.user.id : null;
  const [services, setServices] = useState<Services | null>(null);

  useEffect(() => {
    if (!userId) return;
    // 4401: the session ended (logout elsewhere, revocation): sign in again.
    const connection = createRealtimeConnection(() => void logout());
    const created: Services = {
      userId,
      connection,
      notifications: createNotificationsStore({ api: notificationApi, connection }),
      chatUnread: createChatUnreadStore({ fetchUnread: chatApi.unread, connection }),
      conversations: createConversationsStore({ list: chatApi.conversations, connection }),
      unreadConversations: createConversationsStore({
        list: chatApi.conversations,
        connection,
        initialQuery: { unread: true },
        limit: 5,
      }),
      incoming: createIncomingFeed(),
    };
    // eslint-disable-next-line react-hooks/set-state-in-effect -- created once per signed-in user
    setServices(created);
    return () => {
      created.notifications.stop();
      created.chatUnread.stop();
      created.conversations.stop();
      created.unreadConversations.stop();
      connection.close();
      setServices(null);
    };
  }, [userId, logout]);

  const current = services && services.userId === userId ? services : null;
  return (
    <ServicesContext.Provider value={current}>
      <RealtimeContext.Provider value={current?.connection ?? null}>
        {current && <TabAttention />}
        {children}
      </RealtimeContext.Provider>
    </ServicesContext.Provider>
  );
}
