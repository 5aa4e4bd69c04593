import type { UnreadResponse } from '@chat/protocol';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { liveSync } from '@/lib/live-sync';
import type { RealtimeConnection } from '@/lib/realtime/connection';

export interface ChatUnreadState {
  total: number;
  conversations: Record<string, number>;
}

export interface ChatUnreadStore {
  store: StoreApi<ChatUnreadState>;
  /** What the page knows right after it marked a conversation read. */
  conversationRead(conversationId: string): void;
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * True-unread chat counts, for the nav badge and the inbox. The server owns them (decision
 * 0014): `unread` frames bring every change to every socket, and nothing here counts messages.
 */
export function createChatUnreadStore(options: {
  fetchUnread(): Promise<UnreadResponse>;
  connection: RealtimeConnection | null;
  pollDelay?(): number;
}): ChatUnreadStore {
  const store = createStore<ChatUnreadState>(() => ({ total: 0, conversations: {} }));
  const sync = liveSync({
    fetch: options.fetchUnread,
    apply: ({ total, conversations }) => store.setState({ total, conversations }),
    connection: options.connection,
    pollDelay: options.pollDelay,
  });
  const offFrames = options.connection
    ? [
        options.connection.on('ready', (data) => {
          if (data.unread.chat !== store.getState().total) void sync.refresh();
        }),
        options.connection.on('unread', ({ conversationId, count, total }) =>
          sync.patch(() =>
            store.setState((state) => ({
              total,
              conversations: { ...state.conversations, [conversationId]: count },
            })),
          ),
        ),
      ]
    : [];

  return {
    store,
    conversationRead(conversationId) {
      sync.patch(() =>
        store.setState((state) => {
          const previous = state.conversations[conversationId] ?? 0;
          if (previous === 0) return state;
          return {
            total: Math.max(0, state.total - previous),
            conversations: { ...state.conversations, [conversationId]: 0 },
          };
        }),
      );
    },
    refresh: sync.refresh,
    stop() {
      sync.stop();
      for (const off of offFrames) off();
    },
  };
}
