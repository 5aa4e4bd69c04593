import type { UnreadResponse } from '@chat/protocol';
import type { RealtimeConnection } from '../realtime/connection';
import { Observable } from './observable';

export interface ChatUnreadState {
  total: number;
  conversations: Record<string, number>;
}

export interface ChatUnreadOptions {
  fetchUnread(): Promise<UnreadResponse>;
  pollDelay(): number;
}

/**
 * True-unread counts for the sidebar badge and the threads list: live from `unread` frames, plus
 * the messages that arrive in a thread this tab has open (the server sends no `unread` for
 * those to a socket subscribed to the thread).
 */
export class ChatUnreadStore extends Observable<ChatUnreadState> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Bumped by every live update: an HTTP answer requested before one is older than it. */
  private liveVersion = 0;
  private readonly unsubscribers: Array<() => void> = [];
  /** Per conversation, the highest `seq` counted by {@link messageArrived}. */
  private readonly countedSeq = new Map<string, number>();

  constructor(private readonly options: ChatUnreadOptions) {
    super({ total: 0, conversations: {} });
  }

  start(connection: RealtimeConnection | null): void {
    void this.refresh();
    this.schedulePoll();
    if (!connection) return;
    this.unsubscribers.push(
      connection.on('ready', (data) => {
        if (data.unread.chat !== this.state.total) void this.refresh();
      }),
      connection.on('unread', ({ conversationId, count, total }) => {
        this.liveVersion += 1;
        this.set({
          total,
          conversations: { ...this.state.conversations, [conversationId]: count },
        });
      }),
      connection.onStateChange((state, previous) => {
        if (state === 'connected' && previous !== 'connecting') void this.refresh();
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  async refresh(): Promise<void> {
    const version = this.liveVersion;
    try {
      const unread = await this.options.fetchUnread();
      // A live update that arrived meanwhile is newer; the next refresh picks up the rest.
      if (version !== this.liveVersion) return;
      this.set({ total: unread.total, conversations: unread.conversations });
    } catch {
      // The next poll or reconnect tries again.
    }
  }

  /** A message from someone else arrived in a thread this tab is subscribed to. */
  messageArrived(conversationId: string, seq: number): void {
    if (seq <= (this.countedSeq.get(conversationId) ?? 0)) return;
    this.countedSeq.set(conversationId, seq);
    this.liveVersion += 1;
    this.set({
      total: this.state.total + 1,
      conversations: {
        ...this.state.conversations,
        [conversationId]: (this.state.conversations[conversationId] ?? 0) + 1,
      },
    });
  }

  /** What the page knows right after it marked a conversation read. */
  markConversationRead(conversationId: string): void {
    this.liveVersion += 1;
    const previous = this.state.conversations[conversationId] ?? 0;
    if (previous === 0) return;
    this.set({
      total: Math.max(0, this.state.total - previous),
      conversations: { ...this.state.conversations, [conversationId]: 0 },
    });
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedulePoll());
    }, this.options.pollDelay());
  }
}
