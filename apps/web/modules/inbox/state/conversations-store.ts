import type {
  ConversationListItem,
  ConversationListResponse,
  ConversationScope,
  Message,
} from '@chat/protocol';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { liveSync, type LiveSync } from '@/lib/live-sync';
import type { RealtimeConnection } from '@/lib/realtime/connection';

/** What the list shows: the server filters and searches (`GET /chat/conversations`). */
export interface ConversationQuery {
  scope: ConversationScope;
  /** Only threads with unread messages. */
  unread: boolean;
  /** Ref prefix, title, names or handles; empty for none. */
  search: string;
}

export interface ConversationsState {
  query: ConversationQuery;
  /** Most recent activity first; `null` until the first page of this query arrives. */
  items: ConversationListItem[] | null;
  /** The cursor of the next page; null at the end. */
  nextCursor: string | null;
  loadingMore: boolean;
  failed: boolean;
}

export interface ConversationsStore {
  store: StoreApi<ConversationsState>;
  setQuery(patch: Partial<ConversationQuery>): void;
  loadMore(): Promise<void>;
  /** A message shown in an open thread: its conversation moves to the top with it. */
  messageSeen(message: Message): void;
  refresh(): Promise<void>;
  stop(): void;
}

export type ListConversations = (
  query: ConversationQuery & { cursor?: string; limit?: number },
) => Promise<ConversationListResponse>;

/** How long a burst of frames about threads not in the list is gathered before asking again. */
export const LIST_REFRESH_DEBOUNCE_MS = 400;

/**
 * One inbox list: pages of the server's thread list for a query, kept current by
 * {@link liveSync}. `unread` frames carry each conversation's count and, after a message, that
 * message: the thread moves to the top without a request. A thread the list does not hold yet
 * (new, or past the loaded pages) brings the first page again.
 */
export function createConversationsStore(options: {
  list: ListConversations;
  connection: RealtimeConnection | null;
  initialQuery?: Partial<ConversationQuery>;
  /** Page size. @default the server's (30) */
  limit?: number;
  pollDelay?(): number;
}): ConversationsStore {
  const store = createStore<ConversationsState>(() => ({
    query: { scope: 'mine', unread: false, search: '', ...options.initialQuery },
    items: null,
    nextCursor: null,
    loadingMore: false,
    failed: false,
  }));
  let sync: LiveSync | null = null;
  let debounce: ReturnType<typeof setTimeout> | null = null;
  const request = (query: ConversationQuery, cursor?: string) =>
    options.list({ ...query, cursor, limit: options.limit });

  const start = () => {
    sync?.stop();
    const query = store.getState().query;
    const current = () => store.getState().query === query;
    sync = liveSync({
      fetch: () =>
        request(query).catch((error: unknown) => {
          if (current()) store.setState({ failed: true });
          throw error;
        }),
      apply: (page) => {
        if (!current()) return;
        store.setState({ items: page.conversations, nextCursor: page.nextCursor, failed: false });
      },
      connection: options.connection,
      pollDelay: options.pollDelay,
    });
  };
  start();

  const refreshSoon = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => void sync?.refresh(), LIST_REFRESH_DEBOUNCE_MS);
  };

  const moveToTop = (conversationId: string, message: Message | undefined, count?: number) =>
    sync?.patch(() =>
      store.setState((state) => {
        const items = state.items;
        const item = items?.find((candidate) => candidate.id === conversationId);
        if (!items || !item) return state;
        const newer = message && (!item.lastMessage || item.lastMessage.seq < message.seq);
        const updated: ConversationListItem = {
          ...item,
          ...(newer ? { lastMessage: message } : {}),
          ...(count === undefined ? {} : { unreadCount: count }),
        };
        return {
          items: newer
            ? [updated, ...items.filter((candidate) => candidate !== item)]
            : items.map((candidate) => (candidate === item ? updated : candidate)),
        };
      }),
    );

  const offUnread = options.connection?.on('unread', ({ conversationId, count, lastMessage }) => {
    const { items, query } = store.getState();
    const known = items?.some((item) => item.id === conversationId) ?? false;
    if (known) moveToTop(conversationId, lastMessage, count);
    // A thread this list does not hold moved to the top of the inbox: it may belong on this page.
    else if (lastMessage && !query.search) refreshSoon();
    else if (query.unread && count > 0) refreshSoon();
  });

  return {
    store,
    setQuery(patch) {
      const query = { ...store.getState().query, ...patch };
      const before = store.getState().query;
      if (
        query.scope === before.scope &&
        query.unread === before.unread &&
        query.search === before.search
      ) {
        return;
      }
      store.setState({ query, items: null, nextCursor: null, failed: false, loadingMore: false });
      start();
    },
    async loadMore() {
      const { query, nextCursor, loadingMore } = store.getState();
      if (!nextCursor || loadingMore) return;
      store.setState({ loadingMore: true });
      try {
        const page = await request(query, nextCursor);
        if (store.getState().query !== query) return;
        const known = new Set(store.getState().items?.map((item) => item.id));
        store.setState((state) => ({
          items: [
            ...(state.items ?? []),
            ...page.conversations.filter((item) => !known.has(item.id)),
          ],
          nextCursor: page.nextCursor,
        }));
      } catch {
        if (store.getState().query === query) store.setState({ failed: true });
      } finally {
        if (store.getState().query === query) store.setState({ loadingMore: false });
      }
    },
    messageSeen: (message) => moveToTop(message.conversationId, message),
    refresh: () => sync?.refresh() ?? Promise.resolve(),
    stop() {
      sync?.stop();
      offUnread?.();
      if (debounce) clearTimeout(debounce);
    },
  };
}
