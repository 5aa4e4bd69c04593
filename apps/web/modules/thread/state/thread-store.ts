import type {
  ConversationHeaderResponse,
  ConversationResponse,
  Message,
  MessagePageResponse,
  PresenceResponse,
} from '@chat/protocol';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { isApiError } from '@/lib/api-client';
import type { RealtimeConnection } from '@/lib/realtime/connection';

/**
 * A message of ours not confirmed yet: `queued` waits its turn (or for the network), `sending`
 * is on its way, `failed` waits for Retry.
 */
export interface PendingMessage {
  clientMessageId: string;
  body: string;
  status: 'queued' | 'sending' | 'failed';
  createdAt: string;
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
  /** In the order they were written, which is the order they are sent in. */
  pending: PendingMessage[];
  /** userId → when their typing indicator expires (epoch ms). */
  typing: Record<string, number>;
  /** userId → online. */
  presence: Record<string, boolean>;
  /** userId → the seq they have read up to: "Seen" under that message. */
  readMarkers: Record<string, number>;
  /** The first message from someone else that was unread when the thread opened. */
  firstUnreadSeq: number | null;
  /** The last message from someone else that arrived live, for the screen-reader announcement. */
  lastIncoming: Message | null;
}

export interface ThreadApi {
  /** Opening a thread: in-scope staff and admins join it (`POST …/open`). */
  open(id: string): Promise<ConversationResponse>;
  /** Reading it again, joining no one (`GET`). */
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
   * A message from someone else arrived live (not the replay of a gap after a reconnect), for
   * telling the user of it; the counts are the server's.
   */
  onIncoming?(message: Message): void;
  /** Any message shown here, ours included: the inbox's last message follows it. */
  onMessage?(message: Message): void;
  now?(): number;
  /** Whether the browser has a network; sends wait while it has none. @default navigator.onLine */
  isOnline?(): boolean;
  /**
   * Pauses before each automatic resend of a message whose send failed transiently
   * (network, 5xx, 429); after the last one it shows as not sent, with a Retry button.
   * @default SEND_RETRY_DELAYS_MS
   */
  sendRetryDelaysMs?: readonly number[];
}

/** About 5 s of automatic resends, then Retry is the user's: a failure must not hide for long. */
export const SEND_RETRY_DELAYS_MS: readonly number[] = [500, 1_500, 3_000];

// Worth sending again with the same clientMessageId; a 4xx other than these will not change.
function isTransientSendError(error: unknown): boolean {
  if (!isApiError(error)) return true;
  return error.status >= 500 || error.status === 429 || error.status === 408;
}

function browserOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

const INITIAL_STATE: ThreadState = {
  status: 'loading',
  conversation: null,
  header: null,
  messages: [],
  hasMore: false,
  loadingOlder: false,
  pending: [],
  typing: {},
  presence: {},
  readMarkers: {},
  firstUnreadSeq: null,
  lastIncoming: null,
};

/**
 * One open thread: history over HTTP, live messages from the shared socket (resumed with
 * `since` after a reconnect), sends that leave one at a time in the order written (queued while
 * offline, retried with the same `clientMessageId`), read receipts, typing and presence.
 */
export class ThreadStore {
  readonly store: StoreApi<ThreadState> = createStore<ThreadState>(() => INITIAL_STATE);
  private connection: RealtimeConnection | null = null;
  private readonly unsubscribers: Array<() => void> = [];
  /**
   * From a reconnect until this thread's `subscribed`: the messages arriving are the replay of
   * what was sent while the socket was away, old news that no one is told of again.
   */
  private resuming = false;
  /** Per user, the number of the last live `presence` frame about them (see reloadPresence). */
  private readonly presenceHeardAt = new Map<string, number>();
  private presenceFrames = 0;
  /** Ends the live subscription to the conversation; null while there is none. */
  private unsubscribeLive: (() => void) | null = null;
  private lastReadSent = 0;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private sending = false;
  private readonly idleWaiters: Array<() => void> = [];
  private closed = false;
  private readonly now: () => number;
  private readonly isOnline: () => boolean;

  constructor(private readonly options: ThreadStoreOptions) {
    this.now = options.now ?? Date.now;
    this.isOnline = options.isOnline ?? browserOnline;
  }

  get state(): ThreadState {
    return this.store.getState();
  }

  private set(patch: Partial<ThreadState>): void {
    this.store.setState(patch);
  }

  get lastSeq(): number {
    return this.state.messages.at(-1)?.seq ?? 0;
  }

  async open(connection: RealtimeConnection | null): Promise<void> {
    const { api, conversationId, withHeader, currentUserId } = this.options;
    let conversation: ConversationResponse;
    try {
      // First the access check: nothing else is asked for when it fails.
      conversation = await api.open(conversationId);
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
      const readMarkers = conversation.readMarkers ?? {};
      const readUpTo = readMarkers[currentUserId] ?? 0;
      const firstUnread = page.messages.find(
        (message) => message.seq > readUpTo && message.author.id !== currentUserId,
      );
      this.lastReadSent = readUpTo;
      this.set({
        status: 'ready',
        conversation,
        header,
        messages: mergeMessages(this.state.messages, page.messages),
        hasMore: page.hasMore,
        presence: Object.fromEntries(presence.members.map((m) => [m.userId, m.online])),
        readMarkers,
        firstUnreadSeq: firstUnread?.seq ?? null,
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
    const onOnline = () => this.pump();
    if (typeof window !== 'undefined') window.addEventListener('online', onOnline);
    this.unsubscribers.push(
      () => typeof window !== 'undefined' && window.removeEventListener('online', onOnline),
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
      connection.on('read.receipt', (data) => {
        if (data.conversationId !== conversationId) return;
        if ((this.state.readMarkers[data.userId] ?? 0) >= data.seq) return;
        this.set({ readMarkers: { ...this.state.readMarkers, [data.userId]: data.seq } });
      }),
      connection.onStateChange((state, previous) => {
        if (state !== 'connected') return;
        // Messages written while offline go now, in order.
        this.pump();
        if (previous === 'connecting') return;
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
            // Receipts sent while the socket was away are only in the markers.
            void this.reloadReadMarkers();
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
        this.store.setState({
          ...INITIAL_STATE,
          status: isApiError(error, 403) ? 'forbidden' : 'not_found',
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
    const typing = { ...this.state.typing };
    delete typing[message.author.id];
    this.set({
      messages: mergeMessages(this.state.messages, [message]),
      // Our own message came back on the socket before the POST answered: that send is done.
      pending: mine ? this.withoutPending(message.clientMessageId) : this.state.pending,
      typing,
      lastIncoming: mine ? this.state.lastIncoming : message,
    });
    this.options.onMessage?.(message);
    if (!mine && !this.resuming) this.options.onIncoming?.(message);
  }

  private withoutPending(clientMessageId: string | undefined): PendingMessage[] {
    if (clientMessageId === undefined) return this.state.pending;
    return this.state.pending.filter((entry) => entry.clientMessageId !== clientMessageId);
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
    } catch {
      // The user may ask again.
    } finally {
      this.set({ loadingOlder: false });
    }
  }

  /** Queues a message; messages leave one at a time, in the order they were written. */
  send(body: string): void {
    const entry: PendingMessage = {
      clientMessageId: newClientMessageId(),
      body,
      status: 'queued',
      createdAt: new Date(this.now()).toISOString(),
    };
    this.set({ pending: [...this.state.pending, entry] });
    this.pump();
  }

  /** Sends a failed message again with the same `clientMessageId`: the API stores it once. */
  retry(clientMessageId: string): void {
    const entry = this.state.pending.find((item) => item.clientMessageId === clientMessageId);
    if (!entry || entry.status !== 'failed') return;
    this.updatePending(clientMessageId, 'queued');
    this.pump();
  }

  discard(clientMessageId: string): void {
    const entry = this.state.pending.find((item) => item.clientMessageId === clientMessageId);
    if (!entry || entry.status === 'sending') return;
    this.set({ pending: this.withoutPending(clientMessageId) });
  }

  /** Resolves once no send is on its way: each has been confirmed, failed or put on hold. */
  settled(): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts the next queued message unless one is on its way or the browser is offline. */
  private pump(): void {
    if (this.sending) return;
    const next = this.state.pending.find((entry) => entry.status === 'queued');
    if (!next || this.closed || !this.isOnline()) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    this.sending = true;
    this.updatePending(next.clientMessageId, 'sending');
    void this.deliver(next).finally(() => {
      this.sending = false;
      this.pump();
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
        const known = this.state.messages.some((existing) => existing.seq === message.seq);
        this.set({
          messages: mergeMessages(this.state.messages, [message]),
          pending: this.withoutPending(entry.clientMessageId),
        });
        if (!known) this.options.onMessage?.(message);
        this.lastReadSent = Math.max(this.lastReadSent, message.seq);
        return;
      } catch (error) {
        const settled = !this.state.pending.some(
          (item) => item.clientMessageId === entry.clientMessageId,
        );
        if (settled || this.closed) return;
        // The network went away: the message waits for it, as one written offline does.
        if (!this.isOnline()) {
          this.updatePending(entry.clientMessageId, 'queued');
          return;
        }
        const delay = delays[attempt];
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
    const previous = this.lastReadSent;
    this.lastReadSent = seq;
    try {
      await this.options.api.read(this.options.conversationId, seq);
      this.options.onRead?.(this.options.conversationId);
    } catch {
      this.lastReadSent = previous;
    }
  }

  /** Tells the others we are typing; the realtime client sends at most one per relay interval. */
  typing(): void {
    this.connection?.sendTyping(this.options.conversationId);
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

  private async reloadReadMarkers(): Promise<void> {
    try {
      const { readMarkers = {} } = await this.options.api.conversation(this.options.conversationId);
      if (this.closed) return;
      const merged = { ...this.state.readMarkers };
      for (const [userId, seq] of Object.entries(readMarkers)) {
        merged[userId] = Math.max(merged[userId] ?? 0, seq);
      }
      this.set({ readMarkers: merged });
    } catch {
      // keep what we have
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
