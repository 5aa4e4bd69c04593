import type { Notification } from '@chat/protocol';
import type { RealtimeConnection } from '../realtime/connection';
import { Observable } from './observable';

export interface NotificationApi {
  unreadCount(): Promise<number>;
  list(before?: string): Promise<{ notifications: Notification[]; hasMore: boolean }>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
}

export interface NotificationCenterState {
  unreadCount: number;
  /** `null` until the dropdown first asks for the list. */
  notifications: Notification[] | null;
  hasMore: boolean;
}

export interface NotificationCenterOptions {
  api: NotificationApi;
  /** The next safety-net poll delay; called again for every poll. */
  pollDelay(): number;
  setTimer?(callback: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

/**
 * The bell's state. Live updates come from the shared socket (`notification.new`,
 * `notification.unread`, the `ready` frame); a jittered poll and a refetch after every
 * reconnect are the safety net for anything the socket missed.
 */
export class NotificationCenter extends Observable<NotificationCenterState> {
  private timer: unknown = null;
  private stopped = false;
  /** Bumped by every live update: an HTTP answer requested before one is older than it. */
  private liveVersion = 0;
  private readonly unsubscribers: Array<() => void> = [];
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: NotificationCenterOptions) {
    super({ unreadCount: 0, notifications: null, hasMore: false });
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  start(connection: RealtimeConnection | null): void {
    void this.refresh();
    this.schedulePoll();
    if (!connection) return;
    this.unsubscribers.push(
      connection.on('ready', (data) => this.setLiveUnread(data.unread.notifications)),
      connection.on('notification.new', ({ notification, unreadCount }) => {
        this.liveVersion += 1;
        const current = this.state.notifications;
        const known = current?.some((item) => item.id === notification.id) ?? false;
        this.set({
          unreadCount,
          notifications: current && !known ? [notification, ...current] : current,
        });
      }),
      connection.on('notification.unread', ({ count }) => this.setLiveUnread(count)),
      connection.onStateChange((state, previous) => {
        // Anything created while the socket was down is only visible over HTTP.
        if (state === 'connected' && previous !== 'connecting') void this.refresh();
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  /** Refetches the count, and the list when it has been opened. */
  async refresh(): Promise<void> {
    const version = this.liveVersion;
    try {
      const count = await this.options.api.unreadCount();
      if (version === this.liveVersion) this.setUnread(count);
      if (this.state.notifications !== null) await this.loadList();
    } catch {
      // The next poll or reconnect tries again.
    }
  }

  async loadList(): Promise<void> {
    const page = await this.options.api.list();
    this.set({ notifications: page.notifications, hasMore: page.hasMore });
  }

  async loadMore(): Promise<void> {
    const last = this.state.notifications?.at(-1);
    if (!last) return this.loadList();
    const page = await this.options.api.list(last.id);
    this.set({
      notifications: [...(this.state.notifications ?? []), ...page.notifications],
      hasMore: page.hasMore,
    });
  }

  async markRead(id: string): Promise<void> {
    const target = this.state.notifications?.find((item) => item.id === id);
    if (!target || target.readAt) return;
    this.liveVersion += 1;
    this.set({
      notifications: this.state.notifications!.map((item) =>
        item.id === id ? { ...item, readAt: new Date().toISOString() } : item,
      ),
      unreadCount: Math.max(0, this.state.unreadCount - 1),
    });
    await this.options.api.markRead(id);
  }

  async markAllRead(): Promise<void> {
    const now = new Date().toISOString();
    this.liveVersion += 1;
    this.set({
      notifications:
        this.state.notifications?.map((item) => (item.readAt ? item : { ...item, readAt: now })) ??
        null,
      unreadCount: 0,
    });
    await this.options.api.markAllRead();
  }

  private setLiveUnread(count: number): void {
    this.liveVersion += 1;
    this.setUnread(count);
  }

  private setUnread(count: number): void {
    if (count !== this.state.unreadCount) this.set({ unreadCount: count });
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = this.setTimer(() => {
      void this.refresh().finally(() => this.schedulePoll());
    }, this.options.pollDelay());
  }
}
