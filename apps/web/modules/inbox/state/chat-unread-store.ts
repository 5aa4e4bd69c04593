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
  /** A message from someone else arrived in a thread this tab is subscribed to. */
  messageArrived(conversationId: string, seq: number): void;
  /** What the page knows right after it marked a conversation read. */
  conversationRead(conversationId: string): void;
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * True-unread chat counts, for the nav badge and the inbox: live from `unread` frames, plus the
 * messages that arrive in a thread this tab has open (the server sends no `unread` for those to
 * a socket subscribed to the thread).
 */
export function createChatUnreadStore(options: {
  fetchUnread(): Promise<UnreadResponse>;
  connection: RealtimeConnection | null;
  pollDelay?(): number;
}): ChatUnreadStore {
  const store = createStore<ChatUnreadState>(() => ({ total: 0, conversations: {} }));
  /** Per conversation, the highest `seq` counted by messageArrived. */
  const countedSeq = new Map<string, number>();
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
    messageArrived(conversationId, seq) {
      if (seq <= (countedSeq.get(conversationId) ?? 0)) return;
      countedSeq.set(conversationId, seq);
      sync.patch(() =>
        store.setState((state) => ({
          total: state.total + 1,
          conversations: {
            ...state.conversations,
            [conversationId]: (state.conversations[conversationId] ?? 0) + 1,
          },
        })),
      );
    },
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
