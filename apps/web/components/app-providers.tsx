'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { ChatUnreadContext, createChatUnreadStore } from '@/lib/hooks/use-chat-unread';
import { createNotificationCenter, NotificationCenterContext } from '@/lib/hooks/use-notifications';
import type { RealtimeConnection } from '@/lib/realtime/connection';
import { createRealtimeConnection } from '@/lib/realtime/create-connection';
import { RealtimeContext } from '@/lib/realtime/realtime-context';
import { useSessionState } from '@/lib/session';
import type { ChatUnreadStore } from '@/lib/stores/chat-unread-store';
import type { NotificationCenter } from '@/lib/stores/notification-center';

interface Services {
  userId: string;
  connection: RealtimeConnection;
  notifications: NotificationCenter;
  chatUnread: ChatUnreadStore;
}

const ServicesReadyContext = createContext(false);

/** True once the signed-in user's socket and stores exist. */
export function useServicesReady(): boolean {
  return useContext(ServicesReadyContext);
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
    const notifications = createNotificationCenter();
    const chatUnread = createChatUnreadStore();
    notifications.start(connection);
    chatUnread.start(connection);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- created once per signed-in user
    setServices({ userId, connection, notifications, chatUnread });
    return () => {
      notifications.stop();
      chatUnread.stop();
      connection.close();
      setServices(null);
    };
  }, [userId, logout]);

  const current = services && services.userId === userId ? services : null;
  return (
    <ServicesReadyContext.Provider value={current !== null}>
      <RealtimeContext.Provider value={current?.connection ?? null}>
        <NotificationCenterContext.Provider value={current?.notifications ?? null}>
          <ChatUnreadContext.Provider value={current?.chatUnread ?? null}>
            {children}
          </ChatUnreadContext.Provider>
        </NotificationCenterContext.Provider>
      </RealtimeContext.Provider>
    </ServicesReadyContext.Provider>
  );
}
