import {
  CloseCode,
  type ClientFrame,
  type ErrorFrameCode,
  type Message,
  RECONNECTABLE_CLOSE_CODES,
  type ServerFrame,
  type ServerFrameData,
  TYPING_RELAY_INTERVAL_MS,
} from '@chat/protocol';
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from './backoff';
import { Emitter } from './emitter';

/**
 * - `connecting`: the first attempt (after `connect()`);
 * - `connected`: the server sent `ready`;
 * - `reconnecting`: the connection was lost; retrying with backoff;
 * - `offline`: the browser reports no network; retrying once it is back;
 * - `closed`: not trying: `close()` was called, or the session ended (4401), or the server
 *   refused the connection for good. `connect()` starts again.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

/** The part of the WebSocket API the client uses: browsers' `WebSocket` and `ws` both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;
/** A locally detected dead connection (no pong, or no `ready` in time): treated like 1006. */
const CONNECTION_LOST = 1006;

export interface RealtimeClientOptions {
  /** `wss://host/api/ws/chat`, or a function asked before every attempt (several endpoints). */
  url: string | (() => string);
  /**
   * Opens a socket. Default: the global `WebSocket` (browsers, Node 22+). In Node, pass `ws`
   * to send headers: `(url) => new WebSocket(url, { headers: { authorization } })`.
   */
  createWebSocket?: (url: string) => WebSocketLike;
  /** Reconnect delays (full jitter). @default { baseMs: 500, maxMs: 20000 } */
  backoff?: BackoffOptions;
  /** Time allowed from opening a socket to its `ready` frame. @default 10000 */
  connectTimeoutMs?: number;
  /** Time a `ping` may wait for any frame before the connection counts as dead. @default 10000 */
  pongTimeoutMs?: number;
  /** Time a `message.send` may wait for its ack. @default 10000 */
  requestTimeoutMs?: number;
  /** @default Math.random */
  random?: () => number;
}

export class RealtimeRequestError extends Error {
  constructor(
    readonly code: ErrorFrameCode | 'disconnected' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'RealtimeRequestError';
  }
}

export interface ClosedInfo {
  code: number;
  reason: string;
}

export interface RealtimeClientEvents {
  state: (state: ConnectionState, info: ClosedInfo | null) => void;
  ready: (data: ServerFrameData<'ready'>) => void;
  /** A new message, in `seq` order per conversation, each exactly once. */
  message: (message: Message) => void;
  subscribed: (data: ServerFrameData<'subscribed'>) => void;
  /**
   * The server ended a subscription on its own: the user may no longer see the conversation
   * (their role or scope, or the booking's country, changed). It is not renewed on reconnect.
   */
  unsubscribed: (conversationId: string) => void;
  /** The server could not replay what was missed: refetch this conversation over HTTP. */
  resync: (conversationId: string, lastSeq: number) => void;
  typing: (data: ServerFrameData<'typing'>) => void;
  presence: (data: ServerFrameData<'presence'>) => void;
  unread: (data: ServerFrameData<'unread'>) => void;
  notification: (data: ServerFrameData<'notification.new'>) => void;
  notificationUnread: (data: ServerFrameData<'notification.unread'>) => void;
  /** How far a participant of a subscribed conversation has read. */
  receipt: (data: ServerFrameData<'read.receipt'>) => void;
  /** An `error` frame that answers no pending request. */
  error: (data: ServerFrameData<'error'>) => void;
  /** Every frame, as received (before dedupe). */
  frame: (frame: ServerFrame) => void;
}

interface Subscription {
  /** Highest seq handed to the app; resubscribing asks for what follows it. */
  lastSeq: number | undefined;
}

interface PendingRequest {
  resolve(message: Message): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A client of `/ws/chat` that keeps a connection up and its subscriptions gap-free: explicit
 * states, full-jitter capped backoff, reconnect on 1012/1013 and network loss but never after
 * 4401, resubscribe with `since` = the last seq seen, dedupe by seq, and a ping watchdog.
 */
export class RealtimeClient extends Emitter<RealtimeClientEvents> {
  private currentState: ConnectionState = 'closed';
  private socket: WebSocketLike | null = null;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdogTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private pingSentAt: number | null = null;
  private heartbeatMs = 25_000;
  private nextRef = 1;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pending = new Map<string, PendingRequest>();
  private readonly typingSentAt = new Map<string, number>();
  private readonly options: Required<Omit<RealtimeClientOptions, 'createWebSocket'>> &
    Pick<RealtimeClientOptions, 'createWebSocket'>;
  private readonly onBrowserOnline = () => {
    if (this.currentState === 'offline') this.open();
  };
  /**
   * The browser lost its network: the socket is as good as dead, but without traffic it would
   * take the ping watchdog (a heartbeat plus the pong timeout) to notice.
   */
  private readonly onBrowserOffline = () => {
    if (this.currentState === 'closed' || this.currentState === 'offline') return;
    this.abandon('the browser went offline');
  };

  constructor(options: RealtimeClientOptions) {
    super();
    this.options = {
      backoff: DEFAULT_BACKOFF,
      connectTimeoutMs: 10_000,
      pongTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      random: Math.random,
      ...options,
    };
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Starts connecting (no-op unless closed). */
  connect(): void {
    if (this.currentState !== 'closed') return;
    this.attempt = 0;
    browserWindow()?.addEventListener('online', this.onBrowserOnline);
    browserWindow()?.addEventListener('offline', this.onBrowserOffline);
    this.setState('connecting', null);
    this.open();
  }

  /** Closes for good (until `connect()`); subscriptions are kept for the next `connect()`. */
  close(): void {
    this.stop({ code: CloseCode.normal, reason: 'closed by the client' });
  }

  /**
   * Follows a conversation: now if connected, and again after every reconnect, asking for
   * what came after the last message seen. `since`: the last seq the app already has (e.g.
   * from the HTTP history); omitted, only messages from now on are delivered.
   */
  subscribe(conversationId: string, options: { since?: number } = {}): void {
    const existing = this.subscriptions.get(conversationId);
    const subscription = existing ?? { lastSeq: options.since };
    if (existing && options.since !== undefined)
      existing.lastSeq = Math.max(existing.lastSeq ?? 0, options.since);
    this.subscriptions.set(conversationId, subscription);
    if (this.currentState === 'connected') this.sendSubscribe(conversationId, subscription);
  }

  unsubscribe(conversationId: string): void {
    if (!this.subscriptions.delete(conversationId)) return;
    // With a ref, so that its answer is not taken for the server ending a subscription.
    if (this.currentState === 'connected')
      this.sendFrame({ event: 'unsubscribe', data: { conversationId }, ref: `u${this.nextRef++}` });
  }

  /** The last seq delivered for a conversation. */
  lastSeq(conversationId: string): number | undefined {
    return this.subscriptions.get(conversationId)?.lastSeq;
  }

  /**
   * Sends a message; resolves with the stored message. Retrying with the same
   * `clientMessageId` never creates a duplicate.
   */
  sendMessage(
    conversationId: string,
    body: string,
    clientMessageId: string = randomId(),
  ): Promise<Message> {
    if (this.currentState !== 'connected') {
      return Promise.reject(new RealtimeRequestError('disconnected', 'not connected'));
    }
    const ref = `r${this.nextRef++}`;
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new RealtimeRequestError('timeout', 'no acknowledgement in time'));
      }, this.options.requestTimeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
      this.sendFrame({
        event: 'message.send',
        data: { conversationId, body, clientMessageId },
        ref,
      });
    });
  }

  /** "I am typing": sent at most once per relay interval per conversation. */
  typing(conversationId: string): void {
    const now = Date.now();
    if (now - (this.typingSentAt.get(conversationId) ?? 0) < TYPING_RELAY_INTERVAL_MS) return;
    if (this.currentState !== 'connected') return;
    this.typingSentAt.set(conversationId, now);
    this.sendFrame({ event: 'typing', data: { conversationId } });
  }

  markRead(conversationId: string, seq: number): void {
    if (this.currentState === 'connected')
      this.sendFrame({ event: 'read', data: { conversationId, seq } });
  }

  private open(): void {
    this.clearTimers();
    const url = typeof this.options.url === 'function' ? this.options.url() : this.options.url;
    let socket: WebSocketLike;
    try {
      socket = this.options.createWebSocket
        ? this.options.createWebSocket(url)
        : defaultWebSocket(url);
    } catch {
      this.connectionLost({ code: CONNECTION_LOST, reason: 'could not open a socket' });
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.connectionLost({ code: event.code, reason: event.reason });
    };
    socket.onerror = () => undefined;
    this.connectTimer = setTimeout(() => {
      if (this.socket === socket) this.abandon('no ready frame in time');
    }, this.options.connectTimeoutMs);
  }

  private receive(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data)) as ServerFrame;
    } catch {
      return;
    }
    this.lastFrameAt = Date.now();
    this.pingSentAt = null;
    this.emit('frame', frame);
    switch (frame.event) {
      case 'ready':
        return this.onReady(frame.data);
      case 'message.new':
        return this.onMessage(frame.data.message);
      case 'subscribed':
        return this.onSubscribed(frame.data);
      case 'unsubscribed':
        if (frame.ref === undefined && this.subscriptions.delete(frame.data.conversationId))
          this.emit('unsubscribed', frame.data.conversationId);
        return;
      case 'message.ack': {
        const request = frame.ref ? this.pending.get(frame.ref) : undefined;
        if (request && frame.ref) {
          this.pending.delete(frame.ref);
          clearTimeout(request.timer);
          // The ack does not move the cursor: an earlier message may still be on its way.
          request.resolve(frame.data.message);
        }
        return;
      }
      case 'error': {
        const ref = frame.ref ?? frame.data.ref;
        const request = ref ? this.pending.get(ref) : undefined;
        if (request && ref) {
          this.pending.delete(ref);
          clearTimeout(request.timer);
          request.reject(new RealtimeRequestError(frame.data.code, frame.data.message));
          return;
        }
        return this.emit('error', frame.data);
      }
      case 'typing':
        return this.emit('typing', frame.data);
      case 'presence':
        return this.emit('presence', frame.data);
      case 'unread':
        return this.emit('unread', frame.data);
      case 'notification.new':
        return this.emit('notification', frame.data);
      case 'notification.unread':
        return this.emit('notificationUnread', frame.data);
      case 'read.receipt':
        return this.emit('receipt', frame.data);
      default:
        return;
    }
  }

  private onReady(data: ServerFrameData<'ready'>): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.attempt = 0;
    this.heartbeatMs = data.heartbeatMs;
    this.setState('connected', null);
    this.startWatchdog();
    this.emit('ready', data);
    for (const [conversationId, subscription] of this.subscriptions)
      this.sendSubscribe(conversationId, subscription);
  }

  private onMessage(message: Message): void {
    const subscription = this.subscriptions.get(message.conversationId);
    if (!subscription) return;
    const { lastSeq } = subscription;
    if (lastSeq !== undefined && message.seq <= lastSeq) return;
    if (lastSeq !== undefined && message.seq > lastSeq + 1) {
      // The server never skips; if it ever did, asking again from the last seq repairs it.
      this.sendSubscribe(message.conversationId, subscription);
      return;
    }
    subscription.lastSeq = message.seq;
    this.emit('message', message);
  }

  private onSubscribed(data: ServerFrameData<'subscribed'>): void {
    const subscription = this.subscriptions.get(data.conversationId);
    if (!subscription) return;
    if (!data.recovered) {
      subscription.lastSeq = data.lastSeq;
      this.emit('resync', data.conversationId, data.lastSeq);
    } else if (subscription.lastSeq === undefined || subscription.lastSeq < data.lastSeq) {
      subscription.lastSeq = data.lastSeq;
    }
    this.emit('subscribed', data);
  }

  private sendSubscribe(conversationId: string, subscription: Subscription): void {
    const data =
      subscription.lastSeq === undefined
        ? { conversationId }
        : { conversationId, since: subscription.lastSeq };
    this.sendFrame({ event: 'subscribe', data });
  }

  private sendFrame(frame: ClientFrame): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private startWatchdog(): void {
    this.lastFrameAt = Date.now();
    this.pingSentAt = null;
    const interval = Math.max(1_000, Math.min(this.heartbeatMs, this.options.pongTimeoutMs) / 2);
    this.watchdogTimer = setInterval(() => {
      const now = Date.now();
      if (this.pingSentAt !== null) {
        if (now - this.pingSentAt >= this.options.pongTimeoutMs) this.abandon('ping timeout');
        return;
      }
      if (now - this.lastFrameAt >= this.heartbeatMs) {
        this.pingSentAt = now;
        this.sendFrame({ event: 'ping', data: {} });
      }
    }, interval);
  }

  /** Gives up on a socket that looks dead without waiting for a close handshake. */
  private abandon(reason: string): void {
    const socket = this.socket;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try {
        socket.close(4000, reason);
      } catch {
        // already closing
      }
    }
    this.connectionLost({ code: CONNECTION_LOST, reason });
  }

  private connectionLost(info: ClosedInfo): void {
    this.socket = null;
    this.clearTimers();
    this.rejectPending();
    if (this.currentState === 'closed') return;
    if (!shouldReconnect(info.code)) {
      this.stop(info);
      return;
    }
    if (browserWindow()?.navigator?.onLine === false) {
      this.setState('offline', info);
      return;
    }
    this.setState('reconnecting', info);
    const delay = backoffDelay(this.attempt++, this.options.backoff, this.options.random);
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  private stop(info: ClosedInfo): void {
    const socket = this.socket;
    this.socket = null;
    this.clearTimers();
    this.rejectPending();
    browserWindow()?.removeEventListener('online', this.onBrowserOnline);
    browserWindow()?.removeEventListener('offline', this.onBrowserOffline);
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try {
        socket.close(CloseCode.normal, 'closed by the client');
      } catch {
        // already closing
      }
    }
    this.setState('closed', info);
  }

  private rejectPending(): void {
    for (const [ref, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(new RealtimeRequestError('disconnected', 'the connection was lost'));
      this.pending.delete(ref);
    }
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.reconnectTimer = this.connectTimer = this.watchdogTimer = null;
  }

  private setState(state: ConnectionState, info: ClosedInfo | null): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state, info);
  }
}

/** 4401 means "log in again"; policy closes (1008, 1009) would only repeat. */
export function shouldReconnect(code: number): boolean {
  return RECONNECTABLE_CLOSE_CODES.has(code);
}

interface BrowserWindow {
  navigator?: { onLine?: boolean };
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

function browserWindow(): BrowserWindow | undefined {
  const candidate = (globalThis as { window?: BrowserWindow }).window;
  return candidate && typeof candidate.addEventListener === 'function' ? candidate : undefined;
}

function defaultWebSocket(url: string): WebSocketLike {
  const Constructor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!Constructor) throw new Error('No global WebSocket: pass createWebSocket');
  return new Constructor(url);
}

function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return (
    crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}
