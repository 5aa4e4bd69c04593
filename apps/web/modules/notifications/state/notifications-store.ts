import type { Notification, NotificationPageResponse } from '@chat/protocol';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { liveSync } from '@/lib/live-sync';
import type { RealtimeConnection } from '@/lib/realtime/connection';

export interface NotificationApi {
  unreadCount(): Promise<number>;
  list(options: { before?: string; unread?: boolean }): Promise<NotificationPageResponse>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
}

export type NotificationFilter = 'all' | 'unread';

export interface NotificationList {
  /** `null` until first asked for. */
  items: Notification[] | null;
  hasMore: boolean;
  loading: boolean;
  failed: boolean;
}

export interface NotificationsState {
  unreadCount: number;
  lists: Record<NotificationFilter, NotificationList>;
}

export interface NotificationsStore {
  store: StoreApi<NotificationsState>;
  /** Loads the first page of a list (again, when it was loaded). */
  load(filter: NotificationFilter): Promise<void>;
  loadMore(filter: NotificationFilter): Promise<void>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  /** Called for every notification that arrives live. */
  onArrival(listener: (notification: Notification) => void): () => void;
  stop(): void;
}

const EMPTY_LIST: NotificationList = { items: null, hasMore: false, loading: false, failed: false };
const FILTERS: NotificationFilter[] = ['all', 'unread'];

/**
 * The bell and the notification centre: the unread count and the loaded pages, live from
 * `notification.new` and `notification.unread`, kept current by {@link liveSync}.
 */
export function createNotificationsStore(options: {
  api: NotificationApi;
  connection: RealtimeConnection | null;
  pollDelay?(): number;
}): NotificationsStore {
  const { api, connection } = options;
  const store = createStore<NotificationsState>(() => ({
    unreadCount: 0,
    lists: { all: EMPTY_LIST, unread: EMPTY_LIST },
  }));
  const arrivals = new Set<(notification: Notification) => void>();
  const setList = (filter: NotificationFilter, patch: Partial<NotificationList>) =>
    store.setState((state) => ({
      lists: { ...state.lists, [filter]: { ...state.lists[filter], ...patch } },
    }));
  const loaded = () => FILTERS.filter((filter) => store.getState().lists[filter].items !== null);

  const load = async (filter: NotificationFilter) => {
    setList(filter, { loading: true, failed: false });
    try {
      const page = await api.list({ unread: filter === 'unread' || undefined });
      setList(filter, { items: page.notifications, hasMore: page.hasMore, loading: false });
    } catch {
      setList(filter, { loading: false, failed: true });
    }
  };

  const sync = liveSync({
    fetch: api.unreadCount,
    apply: (unreadCount) => {
      store.setState({ unreadCount });
      // Whatever changed while the socket was away is in the lists too.
      for (const filter of loaded()) void load(filter);
    },
    connection,
    pollDelay: options.pollDelay,
  });

  const setItems = (update: (item: Notification) => Notification) =>
    store.setState((state) => ({
      lists: Object.fromEntries(
        FILTERS.map((filter) => {
          const list = state.lists[filter];
          return [filter, list.items ? { ...list, items: list.items.map(update) } : list];
        }),
      ) as NotificationsState['lists'],
    }));

  const offFrames = connection
    ? [
        connection.on('ready', (data) =>
          sync.patch(() => store.setState({ unreadCount: data.unread.notifications })),
        ),
        connection.on('notification.new', ({ notification, unreadCount }) => {
          sync.patch(() =>
            store.setState((state) => ({
              unreadCount,
              lists: Object.fromEntries(
                FILTERS.map((filter) => {
                  const list = state.lists[filter];
                  const known = list.items?.some((item) => item.id === notification.id) ?? true;
                  return [
                    filter,
                    known ? list : { ...list, items: [notification, ...(list.items ?? [])] },
                  ];
                }),
              ) as NotificationsState['lists'],
            })),
          );
          for (const listener of arrivals) listener(notification);
        }),
        connection.on('notification.unread', ({ count }) => {
          const surprise = count !== store.getState().unreadCount;
          sync.patch(() => store.setState({ unreadCount: count }));
          // Read somewhere else (another tab, or by reading the thread a mention points into):
          // the loaded pages show it.
          if (surprise) for (const filter of loaded()) void load(filter);
        }),
      ]
    : [];

  return {
    store,
    load,
    async loadMore(filter) {
      const list = store.getState().lists[filter];
      const last = list.items?.at(-1);
      if (!last) return load(filter);
      if (list.loading) return;
      setList(filter, { loading: true, failed: false });
      try {
        const page = await api.list({ before: last.id, unread: filter === 'unread' || undefined });
        const current = store.getState().lists[filter].items ?? [];
        const known = new Set(current.map((item) => item.id));
        setList(filter, {
          items: [...current, ...page.notifications.filter((item) => !known.has(item.id))],
          hasMore: page.hasMore,
          loading: false,
        });
      } catch {
        setList(filter, { loading: false, failed: true });
      }
    },
    async markRead(id) {
      const readAt = new Date().toISOString();
      const { lists } = store.getState();
      const wasUnread = FILTERS.some((filter) =>
        lists[filter].items?.some((item) => item.id === id && !item.readAt),
      );
      sync.patch(() => {
        setItems((item) => (item.id === id && !item.readAt ? { ...item, readAt } : item));
        if (wasUnread)
          store.setState((state) => ({ unreadCount: Math.max(0, state.unreadCount - 1) }));
      });
      await api.markRead(id);
    },
    async markAllRead() {
      const readAt = new Date().toISOString();
      sync.patch(() => {
        setItems((item) => (item.readAt ? item : { ...item, readAt }));
        store.setState({ unreadCount: 0 });
      });
      await api.markAllRead();
    },
    onArrival(listener) {
      arrivals.add(listener);
      return () => arrivals.delete(listener);
    },
    stop() {
      sync.stop();
      for (const off of offFrames) off();
      arrivals.clear();
    },
  };
}
