import { type Message, type ServerFrame, type User } from '@chat/protocol';
import { type RoomEvent, type RoomMember } from '../../../infra/realtime/room-event';
import { type ConversationCursor } from './conversation-cursor';

/** What a connection needs from its transport (a `ws` socket in production). */
export interface SocketPort {
  /** Sends one text frame: `data` is its UTF-8 encoding. */
  send(data: Buffer): void;
  /** Bytes queued and not yet handed to the network. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  ping(): void;
  /** Stops reading from the network (what the peer sends next waits in the kernel). */
  pause(): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

export interface ConnectionObserver {
  frameSent(event: string): void;
  slowConsumer(): void;
  /** Access rules changed for this socket's user, or for one of its conversations. */
  accessChanged(conversationId: string | undefined): void;
}

export interface ConnectionLimits {
  /** Queued bytes beyond which the socket is closed with 1013 (slow consumer). */
  sendBufferLimitBytes: number;
}

// Encoding once, not once per socket: a room event reaches every local member as the same
// frame object, and a live message as the same message object (each socket's cursor hands
// over the message, so its `message.new` frame is cached by message).
const encodedFrames = new WeakMap<ServerFrame, Buffer>();
const encodedMessages = new WeakMap<Message, Buffer>();
function encodedFrame(frame: ServerFrame): Buffer {
  let bytes = encodedFrames.get(frame);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(frame));
    encodedFrames.set(frame, bytes);
  }
  return bytes;
}
function encodedMessage(message: Message): Buffer {
  let bytes = encodedMessages.get(message);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(messageFrame(message)));
    encodedMessages.set(message, bytes);
  }
  return bytes;
}
function messageFrame(message: Message): ServerFrame {
  return { event: 'message.new', data: { conversationId: message.conversationId, message } };
}

/** How long a socket closed for flooding has to take its close frame before it is cut. */
const POLICY_CLOSE_GRACE_MS = 1_000;

/**
 * One client socket on this replica: who it is, its per-conversation cursors, and the order of
 * its work. Knows nothing of `ws`; the gateway gives it a {@link SocketPort}.
 */
export class ClientConnection implements RoomMember {
  readonly cursors = new Map<string, ConversationCursor>();
  /** ws pings sent without a pong since; two missed pongs terminate the socket. */
  missedPongs = 0;
  private ready = false;
  private readonly beforeReady: ServerFrame[] = [];
  private work: Promise<void> = Promise.resolve();
  private queuedTasks = 0;
  private closeCode: number | null = null;
  private forceTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    /** Who the socket acts as; refreshed when the user's role or country changes. */
    public user: User,
    readonly sessionKey: string,
    private readonly socket: SocketPort,
    private readonly limits: ConnectionLimits,
    private readonly observer: ConnectionObserver,
  ) {}

  get isClosing(): boolean {
    return this.closeCode !== null || !this.socket.isOpen;
  }

  get pendingTasks(): number {
    return this.queuedTasks;
  }

  /** Runs tasks one after the other, in arrival order; resolves when this one is done. */
  enqueue(task: () => Promise<void>): Promise<void> {
    this.queuedTasks++;
    const run = this.work.then(task).finally(() => {
      this.queuedTasks--;
    });
    this.work = run.catch(() => undefined);
    return run;
  }

  /** Settles when every queued task is done. */
  idle(): Promise<void> {
    return this.work;
  }

  /** The `ready` frame, then whatever was held back while the connection was being set up. */
  markReady(ready: Extract<ServerFrame, { event: 'ready' }>): void {
    this.ready = true;
    this.write(ready.event, encodedFrame(ready));
    for (const frame of this.beforeReady.splice(0)) this.write(frame.event, encodedFrame(frame));
  }

  send(frame: ServerFrame): void {
    if (!this.ready) {
      this.beforeReady.push(frame);
      return;
    }
    this.write(frame.event, encodedFrame(frame));
  }

  sendMessage(message: Message): void {
    if (!this.ready) {
      this.beforeReady.push(messageFrame(message));
      return;
    }
    this.write('message.new', encodedMessage(message));
  }

  deliver(event: RoomEvent): void {
    if (this.isClosing) return;
    if (event.type === 'session.revoked') {
      if (event.sessionKey === this.sessionKey) this.close(4401, 'session ended');
      return;
    }
    if (event.type === 'access.changed') {
      this.observer.accessChanged(event.conversationId);
      return;
    }
    if (event.type !== 'frame' || event.exceptUserId === this.user.id) return;
    const { frame } = event;
    if (frame.event === 'message.new') {
      // Ordering, dedupe and gap filling happen in the cursor, which calls sendMessage.
      this.cursors
        .get(frame.data.conversationId)
        ?.offer(frame.data.message)
        ?.catch(() => {
          this.close(1011, 'could not read the message log');
        });
      return;
    }
    this.send(frame);
  }

  /** Closes with `code`; a peer that does not complete the close handshake is cut after `forceAfterMs`. */
  close(code: number, reason: string, forceAfterMs = 5_000): void {
    if (this.closeCode !== null) return;
    this.closeCode = code;
    for (const cursor of this.cursors.values()) cursor.close();
    this.socket.close(code, reason);
    this.forceTimer = setTimeout(() => this.socket.terminate(), forceAfterMs);
    this.forceTimer.unref();
  }

  /**
   * Closes for a policy violation (flooding): reads nothing more from the peer, whose close
   * frame may sit behind megabytes of the flood, and cuts the connection soon after.
   */
  closeForPolicy(code: number, reason: string): void {
    this.socket.pause();
    this.close(code, reason, POLICY_CLOSE_GRACE_MS);
  }

  ping(): void {
    if (!this.isClosing) this.socket.ping();
  }

  terminate(): void {
    this.closeCode ??= 1006;
    this.socket.terminate();
  }

  /** The socket is gone: stop timers and cursors. */
  disposed(): void {
    if (this.forceTimer) clearTimeout(this.forceTimer);
    for (const cursor of this.cursors.values()) cursor.close();
    this.cursors.clear();
  }

  private write(event: ServerFrame['event'], bytes: Buffer): void {
    if (this.isClosing) return;
    if (this.socket.bufferedAmount > this.limits.sendBufferLimitBytes) {
      // A client that does not read would make us buffer without bound: it reconnects and resumes.
      this.observer.slowConsumer();
      this.close(1013, 'slow consumer');
      return;
    }
    this.socket.send(bytes);
    this.observer.frameSent(event);
  }
}
