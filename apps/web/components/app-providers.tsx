'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { ChatUnreadContext, createChatUnreadStore } from '@/lib/hooks/use-chat-unread';
import { createNotificationCenter, NotificationCenterContext } from '@/lib/hooks/use-notifications';
import type { RealtimeConnection } from '@/lib/realtime/connection';
import { createRealtimeConnection } from '@/lib/realtime/create-connection';
import { RealtimeContext } from '@/lib/realtime/realtime-context';
import { useSession } from '@/lib/session';
import type { ChatUnreadStore } from '@/lib/stores/chat-unread-store';
import type { NotificationCenter } from '@/lib/stores/notification-center';

interface Services {
  connection: RealtimeConnection;
  notifications: NotificationCenter;
  chatUnread: ChatUnreadStore;
}

/** One socket per signed-in tab, shared by chat and the bell, and the stores fed by it. */
export function AppProviders({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const router = useRouter();
  const [services, setServices] = useState<Services | null>(null);

  useEffect(() => {
    // 4401: the session ended (logout elsewhere, revocation): sign in again.
    const connection = createRealtimeConnection(() => router.replace('/login'));
    const notifications = createNotificationCenter();
    const chatUnread = createChatUnreadStore();
    notifications.start(connection);
    chatUnread.start(connection);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- created once per signed-in user
    setServices({ connection, notifications, chatUnread });
    return () => {
      notifications.stop();
      chatUnread.stop();
      connection.close();
    };
  }, [user.id, router]);

  if (!services) return null;
  return (
    <RealtimeContext.Provider value={services.connection}>
      <NotificationCenterContext.Provider value={services.notifications}>
        <ChatUnreadContext.Provider value={services.chatUnread}>
          {children}
        </ChatUnreadContext.Provider>
      </NotificationCenterContext.Provider>
    </RealtimeContext.Provider>
  );
}
