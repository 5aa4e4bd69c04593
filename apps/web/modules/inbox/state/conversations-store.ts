import type { ConversationListItem, ConversationScope, Message } from '@chat/protocol';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { liveSync, type LiveSync } from '@/lib/live-sync';
import type { RealtimeConnection } from '@/lib/realtime/connection';

export interface ConversationsState {
  scope: ConversationScope;
  /** Most recent activity first; `null` until the first answer. */
  items: ConversationListItem[] | null;
  failed: boolean;
}

export interface ConversationsStore {
  store: StoreApi<ConversationsState>;
  setScope(scope: ConversationScope): void;
  /** A message shown in an open thread: its conversation moves to the top with it. */
  messageSeen(message: Message): void;
  refresh(): Promise<void>;
  stop(): void;
}

/** How long a burst of `unread` frames is gathered before the list is asked for again. */
export const LIST_REFRESH_DEBOUNCE_MS = 400;

/**
 * The inbox list. Today it is one request for every thread in scope; the paginated, searchable
 * route replaces {@link fetchList} and the filtering in `useConversations` when it lands.
 */
export function createConversationsStore(options: {
  fetchList(scope: ConversationScope): Promise<ConversationListItem[]>;
  connection: RealtimeConnection | null;
  pollDelay?(): number;
}): ConversationsStore {
  const store = createStore<ConversationsState>(() => ({
    scope: 'mine',
    items: null,
    failed: false,
  }));
  let sync: LiveSync | null = null;
  let debounce: ReturnType<typeof setTimeout> | null = null;

  const start = () => {
    sync?.stop();
    const scope = store.getState().scope;
    sync = liveSync({
      fetch: () =>
        options.fetchList(scope).catch((error: unknown) => {
          if (store.getState().scope === scope) store.setState({ failed: true });
          throw error;
        }),
      apply: (items) => {
        if (store.getState().scope === scope) store.setState({ items, failed: false });
      },
      connection: options.connection,
      pollDelay: options.pollDelay,
    });
  };
  start();

  // Someone wrote in a thread this tab is not subscribed to: its last message changed.
  const offUnread = options.connection?.on('unread', () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => void sync?.refresh(), LIST_REFRESH_DEBOUNCE_MS);
  });

  return {
    store,
    setScope(scope) {
      if (scope === store.getState().scope) return;
      store.setState({ scope, items: null, failed: false });
      start();
    },
    messageSeen(message) {
      sync?.patch(() =>
        store.setState((state) => {
          const items = state.items;
          const item = items?.find((candidate) => candidate.id === message.conversationId);
          if (!items || !item) return state;
          if (item.lastMessage && item.lastMessage.seq >= message.seq) return state;
          return {
            items: [
              { ...item, lastMessage: message },
              ...items.filter((candidate) => candidate !== item),
            ],
          };
        }),
      );
    },
    refresh: () => sync?.refresh() ?? Promise.resolve(),
    stop() {
      sync?.stop();
      offUnread?.();
      if (debounce) clearTimeout(debounce);
    },
  };
}
