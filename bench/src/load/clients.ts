import WebSocket from 'ws';
import { within } from '@chat/test-support';
import { type ClientKind, type SocketSpec } from './ipc';

export interface ClientHandlers {
  /** A chat message reached this socket. `seq` is the API's per-conversation sequence number. */
  onDelivery(room: string, body: string, seq: number | null): void;
  /** The connection ended after it was open; `code` is the WebSocket close code (1006: cut). */
  onClose(code: number): void;
  /** An error the server reported outside any request (rate limits, …). */
  onServerError(code: string): void;
}

/**
 * What socket.io's connection state recovery needs across connections of one socket: the private
 * session id the server gave it and the offset of the last packet received. Kept by the caller,
 * updated by each connection.
 */
export interface RecoverySession {
  pid: string | null;
  offset: string | null;
}

/** One connection of one contender, driven the same way for all of them. */
export interface ChatClient {
  /** Opens the connection and resolves once the server is ready for frames. */
  open(url: string, timeoutMs: number): Promise<void>;
  /**
   * After `open`: the server restored this socket's earlier session (its rooms, and the packets
   * it missed, sent ahead of the connect), so there is nothing to join again.
   */
  readonly recovered: boolean;
  /** Joins a room; resolves with the room's last sequence number where the server has one. */
  join(room: string, since: number | null, timeoutMs: number): Promise<number | null>;
  send(room: string, body: string, clientMessageId: string): void;
  close(): void;
}

interface Pending {
  resolve(value: number | null): void;
  reject(error: Error): void;
}

/** A `ws` connection with a JSON request/reply layer keyed by `ref`. */
abstract class JsonWebSocketClient implements ChatClient {
  protected socket: WebSocket | null = null;
  protected readonly pending = new Map<string, Pending>();
  private nextRef = 0;
  private opened = false;
  // The API resumes in its subscribe (`since`), not in the connection.
  readonly recovered = false;
  /** Whether the connection is usable as soon as the upgrade completes. */
  protected readonly readyOnOpen: boolean = false;

  constructor(
    protected readonly spec: SocketSpec,
    protected readonly handlers: ClientHandlers,
    protected readonly origin: string,
  ) {}

  protected abstract headers(): Record<string, string>;
  /** Handles one frame; calls `ready()` when the connection may be used. */
  protected abstract onFrame(frame: unknown, ready: () => void): void;
  protected abstract joinFrame(room: string, since: number | null, ref: string): unknown;
  abstract send(room: string, body: string, clientMessageId: string): void;

  open(url: string, timeoutMs: number): Promise<void> {
    const socket = new WebSocket(url, {
      headers: this.headers(),
      perMessageDeflate: false,
      localAddress: this.spec.localAddress,
      handshakeTimeout: timeoutMs,
    });
    this.socket = socket;
    const opened = new Promise<void>((resolve, reject) => {
      const ready = () => {
        this.opened = true;
        resolve();
      };
      if (this.readyOnOpen) socket.once('open', ready);
      socket.on('message', (data) => {
        let frame: unknown;
        try {
          frame = JSON.parse(data.toString());
        } catch {
          return;
        }
        this.onFrame(frame, ready);
      });
      socket.on('unexpected-response', (_request, response) => {
        reject(new Error(`handshake answered ${response.statusCode}`));
        socket.terminate();
      });
      socket.on('error', (error) => {
        if (!this.opened) reject(error);
      });
      socket.on('close', (code) => {
        for (const pending of this.pending.values()) pending.reject(new Error(`closed ${code}`));
        this.pending.clear();
        if (this.opened) this.handlers.onClose(code);
        else reject(new Error(`closed ${code} before ready`));
      });
    });
    return within(opened, timeoutMs, 'open');
  }

  join(room: string, since: number | null, timeoutMs: number): Promise<number | null> {
    const ref = String(++this.nextRef);
    const joined = new Promise<number | null>((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
    });
    this.socket?.send(JSON.stringify(this.joinFrame(room, since, ref)));
    return within(joined, timeoutMs, 'join').finally(() => this.pending.delete(ref));
  }

  protected settle(ref: unknown, value: number | null, error?: string): boolean {
    if (typeof ref !== 'string') return false;
    const pending = this.pending.get(ref);
    if (!pending) return false;
    this.pending.delete(ref);
    if (error) pending.reject(new Error(error));
    else pending.resolve(value);
    return true;
  }

  close(): void {
    this.socket?.terminate();
  }
}

interface ApiFrame {
  event: string;
  ref?: string;
  data: {
    conversationId?: string;
    lastSeq?: number;
    code?: string;
    message?: { body: string; seq: number } | string;
    ref?: string;
  };
}

/** The API's `/ws/chat` protocol: bearer session, `ready` first, `subscribe` → `subscribed`. */
export class ApiClient extends JsonWebSocketClient {
  protected headers(): Record<string, string> {
    return { authorization: `Bearer ${this.spec.credential ?? ''}`, origin: this.origin };
  }

  protected onFrame(raw: unknown, ready: () => void): void {
    const frame = raw as ApiFrame;
    switch (frame.event) {
      case 'message.new': {
        const message = frame.data.message;
        if (typeof message === 'object' && frame.data.conversationId) {
          this.handlers.onDelivery(frame.data.conversationId, message.body, message.seq);
        }
        return;
      }
      case 'subscribed':
        this.settle(frame.ref, frame.data.lastSeq ?? null);
        return;
      case 'ready':
        ready();
        return;
      case 'error': {
        const code = frame.data.code ?? 'unknown';
        if (!this.settle(frame.ref ?? frame.data.ref, null, `error ${code}`)) {
          this.handlers.onServerError(code);
        }
        return;
      }
      default:
        return;
    }
  }

  protected joinFrame(room: string, since: number | null, ref: string): unknown {
    const data = since === null ? { conversationId: room } : { conversationId: room, since };
    return { event: 'subscribe', data, ref };
  }

  send(room: string, body: string, clientMessageId: string): void {
    this.socket?.send(
      JSON.stringify({
        event: 'message.send',
        data: { conversationId: room, body, clientMessageId },
      }),
    );
  }
}

/** The raw `ws` upper bound's protocol (see servers/ws-server.ts). */
export class RawWsClient extends JsonWebSocketClient {
  // No application-level greeting: the connection is usable once the upgrade completed.
  protected override readonly readyOnOpen = true;

  protected headers(): Record<string, string> {
    return {};
  }

  protected onFrame(raw: unknown): void {
    const frame = raw as { t: string; room: string; body?: string; ref?: string };
    if (frame.t === 'msg') this.handlers.onDelivery(frame.room, frame.body ?? '', null);
    else if (frame.t === 'joined') this.settle(frame.ref, null);
  }

  protected joinFrame(room: string, _since: number | null, ref: string): unknown {
    return { t: 'join', room, ref };
  }

  send(room: string, body: string): void {
    this.socket?.send(JSON.stringify({ t: 'msg', room, body }));
  }
}

/**
 * socket.io 4 spoken directly over `ws` (Engine.IO v4, Socket.IO v5 packets), WebSocket transport
 * only: the server under test is the real socket.io, and its clients cost the shared cores no
 * more than the other contenders' lean clients do (the official client parses every packet
 * through several layers of emitters, which on two cores takes CPU from the servers).
 *
 * `0{…}` open → `40` connect → `40{sid}`; `421["join",room]` → `431[room]`;
 * `42["msg",room,body]` both ways; the server's ping `2` is answered with `3`.
 *
 * Connection state recovery as `socket.io-client` does it: the server's connect carries a
 * private session id (`40{sid,pid}`), every broadcast event carries its offset as a last
 * argument (`42["msg",room,body,offset]`), and a later connection of the same socket connects
 * with both (`40{"pid":…,"offset":…}`). The server restored the session when its connect
 * answers with the same `pid`; the packets the socket missed come ahead of that answer.
 */
export class SocketIoClient implements ChatClient {
  private socket: WebSocket | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextAck = 0;
  private opened = false;
  recovered = false;

  constructor(
    private readonly spec: SocketSpec,
    private readonly handlers: ClientHandlers,
    private readonly session: RecoverySession = { pid: null, offset: null },
  ) {}

  open(url: string, timeoutMs: number): Promise<void> {
    const target = new URL('/socket.io/?EIO=4&transport=websocket', url.replace(/^http/, 'ws'));
    const socket = new WebSocket(target, {
      perMessageDeflate: false,
      localAddress: this.spec.localAddress,
      handshakeTimeout: timeoutMs,
    });
    this.socket = socket;
    const previousPid = this.session.pid;
    const opened = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const text = data.toString();
        const type = text.charCodeAt(0);
        if (type === 52 /* 4: message */) this.onPacket(text, previousPid, resolve);
        else if (type === 50 /* 2: ping */) socket.send('3');
        else if (type === 48 /* 0: open */) socket.send(this.connectPacket());
      });
      socket.on('unexpected-response', (_request, response) => {
        reject(new Error(`handshake answered ${response.statusCode}`));
        socket.terminate();
      });
      socket.on('error', (error) => {
        if (!this.opened) reject(error);
      });
      socket.on('close', (code) => {
        for (const pending of this.pending.values()) pending.reject(new Error(`closed ${code}`));
        this.pending.clear();
        if (this.opened) this.handlers.onClose(code);
        else reject(new Error(`closed ${code} before ready`));
      });
    });
    return within(opened, timeoutMs, 'open');
  }

  private connectPacket(): string {
    const { pid, offset } = this.session;
    return pid === null ? '40' : `40${JSON.stringify(offset === null ? { pid } : { pid, offset })}`;
  }

  private onPacket(text: string, previousPid: string | null, connected: () => void): void {
    const kind = text.charCodeAt(1);
    if (kind === 50 /* 2: event */) {
      const [event, room, body, offset] = JSON.parse(text.slice(2)) as [
        string,
        string,
        string,
        string | undefined,
      ];
      if (event !== 'msg') return;
      this.handlers.onDelivery(room, body, null);
      if (typeof offset === 'string') this.session.offset = offset;
    } else if (kind === 51 /* 3: ack */) {
      const bracket = text.indexOf('[');
      const pending = this.pending.get(Number(text.slice(2, bracket)));
      pending?.resolve(null);
    } else if (kind === 48 /* 0: connect */) {
      const { pid } = JSON.parse(text.slice(2) || '{}') as { pid?: string };
      this.recovered = previousPid !== null && pid === previousPid;
      this.session.pid = pid ?? null;
      this.opened = true;
      connected();
    } else if (kind === 52 /* 4: connect error */) {
      this.handlers.onServerError('connect_error');
    }
  }

  async join(room: string, _since: number | null, timeoutMs: number): Promise<number | null> {
    const id = ++this.nextAck;
    const joined = new Promise<number | null>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    this.socket?.send(`42${id}${JSON.stringify(['join', room])}`);
    return within(joined, timeoutMs, 'join').finally(() => this.pending.delete(id));
  }

  send(room: string, body: string): void {
    this.socket?.send(`42${JSON.stringify(['msg', room, body])}`);
  }

  close(): void {
    this.socket?.terminate();
  }
}

/** A client of `kind`; `session` carries socket.io's recovery state from one connection to the next. */
export function createClient(
  kind: ClientKind,
  spec: SocketSpec,
  handlers: ClientHandlers,
  origin: string,
  session?: RecoverySession,
): ChatClient {
  switch (kind) {
    case 'api':
      return new ApiClient(spec, handlers, origin);
    case 'ws':
      return new RawWsClient(spec, handlers, origin);
    case 'socketio':
      return new SocketIoClient(spec, handlers, session);
  }
}
