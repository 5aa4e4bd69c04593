import {
  TYPING_RELAY_INTERVAL_MS,
  type ConversationHeaderResponse,
  type ConversationResponse,
  type Message,
  type MessagePageResponse,
  type PresenceResponse,
} from '@chat/protocol';
import { isApiError } from '../api-client';
import type { RealtimeConnection } from '../realtime/connection';
import { Observable } from './observable';

export interface PendingMessage {
  clientMessageId: string;
  body: string;
  status: 'sending' | 'failed';
}

export type ThreadStatus = 'loading' | 'ready' | 'forbidden' | 'not_found' | 'error';

export interface ThreadState {
  status: ThreadStatus;
  conversation: ConversationResponse | null;
  header: ConversationHeaderResponse | null;
  /** Confirmed messages: unique by `seq`, ascending. */
  messages: Message[];
  hasMore: boolean;
  loadingOlder: boolean;
  pending: PendingMessage[];
  /** userId → when their typing indicator expires (epoch ms). */
  typing: Record<string, number>;
  /** userId → online. */
  presence: Record<string, boolean>;
  /** The last message from someone else that arrived live, for the screen-reader announcement. */
  lastIncoming: Message | null;
}

export interface ThreadApi {
  conversation(id: string): Promise<ConversationResponse>;
  header(id: string): Promise<ConversationHeaderResponse>;
  messages(id: string, before?: number): Promise<MessagePageResponse>;
  post(id: string, body: string, clientMessageId: string): Promise<Message>;
  read(id: string, seq: number): Promise<void>;
  presence(id: string): Promise<PresenceResponse>;
}

/** Adds messages to a `seq`-ordered list; a `seq` already present is kept once. */
export function mergeMessages(
  existing: readonly Message[],
  incoming: readonly Message[],
): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const bySeq = new Map<number, Message>();
  for (const message of existing) bySeq.set(message.seq, message);
  for (const message of incoming) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((left, right) => left.seq - right.seq);
}

/** A client message id that survives retries; `randomUUID` is missing outside secure contexts. */
export function newClientMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export interface ThreadStoreOptions {
  conversationId: string;
  currentUserId: string;
  api: ThreadApi;
  withHeader: boolean;
  onRead?(conversationId: string): void;
  /**
   * A message from someone else arrived on the socket. The server sends this socket no `unread`
   * frame for it (the socket has the message), so whoever shows counts adds it themselves.
   */
  onIncoming?(message: Message): void;
  /**
   * The subscription resumed after a reconnect. The messages replayed for the gap did not go to
   * `onIncoming` (the server's counts hold them), so whoever shows counts asks for them now.
   */
  onResumed?(): void;
  now?(): number;
  /**
   * Pauses before each automatic resend of a message whose send failed transiently
   * (network, 5xx, 429); after the last one it shows as not sent, with a Retry button.
   * @default SEND_RETRY_DELAYS_MS
   */
  sendRetryDelaysMs?: readonly number[];
}

/** About 15 s of automatic resends: a restarting API or a busy edge does not lose a message. */
export const SEND_RETRY_DELAYS_MS: readonly number[] = [250, 1_000, 2_000, 4_000, 8_000];

// Worth sending again with the same clientMessageId; a 4xx other than these will not change.
function isTransientSendError(error: unknown): boolean {
  if (!isApiError(error)) return true;
  return error.status >= 500 || error.status === 429 || error.status === 408;
}

/**
 * One open thread: history over HTTP, live messages from the shared socket (resumed with
 * `since` after a reconnect), optimistic sends that are safe to retry, typing and presence.
 */
export class ThreadStore extends Observable<ThreadState> {
  private connection: RealtimeConnection | null = null;
  private readonly unsubscribers: Array<() => void> = [];
  /**
   * From a reconnect until this thread's `subscribed`: the messages arriving are the replay of
   * what was sent while the socket was away, which the server's unread counts already hold.
   */
  private resuming = false;
  /** Per user, the number of the last live `presence` frame about them (see reloadPresence). */
  private readonly presenceHeardAt = new Map<string, number>();
  private presenceFrames = 0;
  /** Ends the live subscription to the conversation; null while there is none. */
  private unsubscribeLive: (() => void) | null = null;
  private lastReadSent = 0;
  private lastTypingSent = Number.NEGATIVE_INFINITY;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Sends go out one after the other: independent requests could be stored out of order. */
  private sendQueue: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: ThreadStoreOptions) {
    super({
      status: 'loading',
      conversation: null,
      header: null,
      messages: [],
      hasMore: false,
      loadingOlder: false,
      pending: [],
      typing: {},
      presence: {},
      lastIncoming: null,
    });
    this.now = options.now ?? Date.now;
  }

  get lastSeq(): number {
    return this.state.messages.at(-1)?.seq ?? 0;
  }

  async open(connection: RealtimeConnection | null): Promise<void> {
    const { api, conversationId, withHeader } = this.options;
    let conversation: ConversationResponse;
    try {
      // First the access check: nothing else is asked for when it fails.
      conversation = await api.conversation(conversationId);
    } catch (error) {
      if (this.closed) return;
      this.set({
        status: isApiError(error, 403)
          ? 'forbidden'
          : isApiError(error, 404)
            ? 'not_found'
            : 'error',
      });
      return;
    }
    if (this.closed) return;
    try {
      const [page, header, presence] = await Promise.all([
        api.messages(conversationId),
        withHeader ? api.header(conversationId) : Promise.resolve(null),
        api.presence(conversationId).catch(() => ({ members: [] })),
      ]);
      if (this.closed) return;
      this.set({
        status: 'ready',
        conversation,
        header,
        messages: mergeMessages(this.state.messages, page.messages),
        hasMore: page.hasMore,
        presence: Object.fromEntries(presence.members.map((m) => [m.userId, m.online])),
      });
    } catch {
      if (!this.closed) this.set({ status: 'error' });
      return;
    }
    if (connection) this.attach(connection);
  }

  private attach(connection: RealtimeConnection): void {
    const { conversationId } = this.options;
    this.connection = connection;
    this.subscribeLive(connection);
    this.unsubscribers.push(
      connection.on('typing', (data) => {
        if (data.conversationId !== conversationId || data.userId === this.options.currentUserId)
          return;
        this.set({
          typing: { ...this.state.typing, [data.userId]: this.now() + data.expiresInMs },
        });
        this.scheduleTypingExpiry();
      }),
      connection.on('presence', (data) => {
        if (data.conversationId !== conversationId) return;
        this.presenceHeardAt.set(data.userId, ++this.presenceFrames);
        this.set({ presence: { ...this.state.presence, [data.userId]: data.online } });
      }),
      connection.onStateChange((state, previous) => {
        if (state !== 'connected' || previous === 'connecting') return;
        // Back after a drop: what the resubscribe replays until `subscribed` was sent meanwhile.
        this.resuming = true;
      }),
    );
  }

  private subscribeLive(connection: RealtimeConnection): void {
    this.unsubscribeLive = connection.subscribeConversation(
      this.options.conversationId,
      this.lastSeq,
      {
        onMessage: (message) => this.receive(message),
        onSubscribed: ({ recovered }) => {
          // From `subscribed` on, every change of presence in the room reaches this socket; one
          // that came before it (someone connecting while this thread loaded, or while the
          // socket was away) is only in a snapshot taken now.
          void this.reloadPresence();
          if (this.resuming) {
            this.resuming = false;
            this.options.onResumed?.();
          }
          if (!recovered) void this.reloadLatest();
        },
        onEnded: () => void this.subscriptionEnded(connection),
      },
    );
  }

  /**
   * The server ended the live subscription because access changed. Asks the API whether the
   * thread is still open to this user: if not, the thread gives way to the forbidden (or not
   * found) view and nothing of it stays on screen; if it is, the subscription resumes.
   */
  private async subscriptionEnded(connection: RealtimeConnection): Promise<void> {
    // The server has already dropped it; this removes the listeners.
    this.unsubscribeLive?.();
    this.unsubscribeLive = null;
    try {
      await this.options.api.conversation(this.options.conversationId);
    } catch (error) {
      if (this.closed) return;
      if (isApiError(error, 403) || isApiError(error, 404)) {
        this.close();
        this.set({
          status: isApiError(error, 403) ? 'forbidden' : 'not_found',
          conversation: null,
          header: null,
          messages: [],
          hasMore: false,
          pending: [],
          typing: {},
          presence: {},
          lastIncoming: null,
        });
        return;
      }
    }
    if (!this.closed && !this.unsubscribeLive) this.subscribeLive(connection);
  }

  close(): void {
    this.closed = true;
    if (this.typingTimer) clearTimeout(this.typingTimer);
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.unsubscribeLive?.();
    this.unsubscribeLive = null;
  }

  receive(message: Message): void {
    if (message.conversationId !== this.options.conversationId) return;
    const known = this.state.messages.some((existing) => existing.seq === message.seq);
    if (known) return;
    const mine = message.author.id === this.options.currentUserId;
    let pending = this.state.pending;
    if (mine) {
      // Our own message came back on the socket before the POST answered: settle that entry.
      const index = pending.findIndex((entry) => entry.body === message.body);
      if (index >= 0) pending = pending.filter((_, position) => position !== index);
    }
    const typing = { ...this.state.typing };
    delete typing[message.author.id];
    this.set({
      messages: mergeMessages(this.state.messages, [message]),
      pending,
      typing,
      lastIncoming: mine ? this.state.lastIncoming : message,
    });
    if (!mine && !this.resuming) this.options.onIncoming?.(message);
  }

  async loadOlder(): Promise<void> {
    const first = this.state.messages[0];
    if (!first || !this.state.hasMore || this.state.loadingOlder) return;
    this.set({ loadingOlder: true });
    try {
      const page = await this.options.api.messages(this.options.conversationId, first.seq);
      this.set({
        messages: mergeMessages(this.state.messages, page.messages),
        hasMore: page.hasMore,
      });
    } finally {
      this.set({ loadingOlder: false });
    }
  }

  async send(body: string): Promise<void> {
    const entry: PendingMessage = {
      clientMessageId: newClientMessageId(),
      body,
      status: 'sending',
    };
    this.set({ pending: [...this.state.pending, entry] });
    await this.enqueue(entry);
  }

  /** Sends a failed message again with the same `clientMessageId`: the API stores it once. */
  async retry(clientMessageId: string): Promise<void> {
    const entry = this.state.pending.find((item) => item.clientMessageId === clientMessageId);
    if (!entry) return;
    this.updatePending(clientMessageId, 'sending');
    await this.enqueue(entry);
  }

  private enqueue(entry: PendingMessage): Promise<void> {
    this.sendQueue = this.sendQueue.then(() => this.deliver(entry));
    return this.sendQueue;
  }

  discard(clientMessageId: string): void {
    this.set({
      pending: this.state.pending.filter((item) => item.clientMessageId !== clientMessageId),
    });
  }

  private async deliver(entry: PendingMessage): Promise<void> {
    const delays = this.options.sendRetryDelaysMs ?? SEND_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const message = await this.options.api.post(
          this.options.conversationId,
          entry.body,
          entry.clientMessageId,
        );
        this.set({
          messages: mergeMessages(this.state.messages, [message]),
          pending: this.state.pending.filter(
            (item) => item.clientMessageId !== entry.clientMessageId,
          ),
        });
        this.lastReadSent = Math.max(this.lastReadSent, message.seq);
        return;
      } catch (error) {
        const delay = delays[attempt];
        const settled = !this.state.pending.some(
          (item) => item.clientMessageId === entry.clientMessageId,
        );
        if (settled || this.closed) return;
        if (delay === undefined || !isTransientSendError(error)) {
          this.updatePending(entry.clientMessageId, 'failed');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private updatePending(clientMessageId: string, status: PendingMessage['status']): void {
    this.set({
      pending: this.state.pending.map((item) =>
        item.clientMessageId === clientMessageId ? { ...item, status } : item,
      ),
    });
  }

  /** Called when messages up to `seq` have been on screen; markers only move forward. */
  async markRead(seq: number): Promise<void> {
    if (seq <= this.lastReadSent) return;
    this.lastReadSent = seq;
    try {
      await this.options.api.read(this.options.conversationId, seq);
      this.options.onRead?.(this.options.conversationId);
    } catch {
      this.lastReadSent = 0;
    }
  }

  /** Tells the others we are typing, at most once per relay interval. */
  typing(): void {
    const now = this.now();
    if (!this.connection || now - this.lastTypingSent < TYPING_RELAY_INTERVAL_MS) return;
    this.lastTypingSent = now;
    this.connection.sendTyping(this.options.conversationId);
  }

  private scheduleTypingExpiry(): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    const expiries = Object.values(this.state.typing);
    if (expiries.length === 0) return;
    const next = Math.min(...expiries);
    this.typingTimer = setTimeout(
      () => {
        const now = this.now();
        this.set({
          typing: Object.fromEntries(
            Object.entries(this.state.typing).filter(([, expiresAt]) => expiresAt > now),
          ),
        });
        this.scheduleTypingExpiry();
      },
      Math.max(0, next - this.now()) + 10,
    );
  }

  private async reloadLatest(): Promise<void> {
    try {
      const page = await this.options.api.messages(this.options.conversationId);
      const oldest = page.messages[0]?.seq ?? 0;
      // Past the replay cap there may be a hole: keep only what is contiguous with the new page.
      const contiguous = this.state.messages.filter((message) => message.seq >= oldest - 1);
      this.set({
        messages: mergeMessages(contiguous, page.messages),
        hasMore: page.hasMore || contiguous.length < this.state.messages.length,
      });
    } catch {
      // The next reconnect retries.
    }
  }

  /** A snapshot of presence; a live frame about someone that came while it was read is newer. */
  private async reloadPresence(): Promise<void> {
    const askedAt = this.presenceFrames;
    try {
      const { members } = await this.options.api.presence(this.options.conversationId);
      if (this.closed) return;
      const presence: Record<string, boolean> = {};
      for (const { userId, online } of members) {
        const heardLive = (this.presenceHeardAt.get(userId) ?? 0) > askedAt;
        presence[userId] = heardLive ? (this.state.presence[userId] ?? online) : online;
      }
      this.set({ presence });
    } catch {
      // keep what we have
    }
  }
}
