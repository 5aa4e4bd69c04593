import { type ServerFrame, type User } from '@chat/protocol';
import { ConversationCursor, type CursorOutput } from './delivery/conversation-cursor';
import { type LiveMessage, type RoomDelivery, type RoomMember } from './delivery/room-events';
import { REALTIME_LIMITS } from './realtime-limits';

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

/** How long a socket closed for flooding has to take its close frame before it is cut. */
const POLICY_CLOSE_GRACE_MS = 1_000;

interface EncodedFrame {
  event: ServerFrame['event'];
  bytes: Buffer;
}

/**
 * One client socket on this replica: who it acts as, the conversations it follows (one cursor
 * each), its liveness, and the order of its work. Its state changes only through its own
 * methods. Knows nothing of `ws`; the gateway gives it a {@link SocketPort}.
 */
export class ClientConnection implements RoomMember {
  private readonly cursors = new Map<string, ConversationCursor>();
  private currentUser: User;
  /** Heartbeats since the last sign of life (a pong, or any frame). */
  private missedPongs = 0;
  private ready = false;
  private readonly beforeReady: EncodedFrame[] = [];
  private work: Promise<void> = Promise.resolve();
  private queuedTasks = 0;
  private closeCode: number | null = null;
  private forceTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    user: User,
    readonly sessionKey: string,
    private readonly socket: SocketPort,
    private readonly limits: ConnectionLimits,
    private readonly observer: ConnectionObserver,
  ) {
    this.currentUser = user;
  }

  /** Who the socket acts as: the user as they were last read (see {@link actAs}). */
  get user(): User {
    return this.currentUser;
  }

  get isClosing(): boolean {
    return this.closeCode !== null || !this.socket.isOpen;
  }

  get pendingTasks(): number {
    return this.queuedTasks;
  }

  /** The user's role or country changed: the socket acts as they are now. */
  actAs(user: User): void {
    if (user.id !== this.currentUser.id) throw new Error('a connection cannot change users');
    this.currentUser = user;
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

  conversations(): IterableIterator<string> {
    return this.cursors.keys();
  }

  follows(conversationId: string): boolean {
    return this.cursors.has(conversationId);
  }

  /**
   * Starts following a conversation from `startAt` with a new cursor (one that followed it
   * before is closed). Live messages wait in the cursor until it is released.
   */
  follow(
    conversationId: string,
    startAt: number,
    fetch: CursorOutput['fetch'],
  ): ConversationCursor {
    this.cursors.get(conversationId)?.close();
    const cursor = new ConversationCursor(
      { deliver: (message) => this.sendMessage(message), fetch },
      REALTIME_LIMITS.replayChunk,
      startAt,
    );
    this.cursors.set(conversationId, cursor);
    return cursor;
  }

  /** Stops following; only `cursor` is dropped when given (not a newer one). Returns whether it followed. */
  unfollow(conversationId: string, cursor?: ConversationCursor): boolean {
    const current = this.cursors.get(conversationId);
    if (!current || (cursor && current !== cursor)) return false;
    current.close();
    this.cursors.delete(conversationId);
    return true;
  }

  /** The log holds messages up to `lastSeq` that may never have come live: deliver them. */
  fillTo(conversationId: string, lastSeq: number): Promise<void> {
    return this.cursors.get(conversationId)?.fillTo(lastSeq) ?? Promise.resolve();
  }

  /** The peer showed it is alive (a pong or a frame). */
  heardFrom(): void {
    this.missedPongs = 0;
  }

  /**
   * One heartbeat: a socket that stayed silent through too many is cut (false); otherwise it is
   * pinged (true).
   */
  beat(): boolean {
    if (this.missedPongs >= REALTIME_LIMITS.missedPongs) {
      this.terminate();
      return false;
    }
    this.missedPongs++;
    if (!this.isClosing) this.socket.ping();
    return true;
  }

  /** The `ready` frame, then whatever was held back while the connection was being set up. */
  markReady(ready: Extract<ServerFrame, { event: 'ready' }>): void {
    this.ready = true;
    this.write(ready.event, Buffer.from(JSON.stringify(ready)));
    for (const frame of this.beforeReady.splice(0)) this.write(frame.event, frame.bytes);
  }

  send(frame: ServerFrame): void {
    this.sendEncoded(frame.event, Buffer.from(JSON.stringify(frame)));
  }

  receive(delivery: RoomDelivery): void {
    if (this.isClosing) return;
    switch (delivery.kind) {
      case 'message':
        // Ordering, dedupe and gap filling happen in the cursor, which calls sendMessage.
        this.cursors
          .get(delivery.conversationId)
          ?.offer(delivery)
          ?.catch(() => this.close(1011, 'could not read the message log'));
        return;
      case 'frame':
        if (delivery.exceptUserId !== this.currentUser.id) {
          this.sendEncoded(delivery.event, delivery.frame);
        }
        return;
      case 'control': {
        const { control } = delivery;
        if (control.type === 'session.revoked' && control.sessionKey === this.sessionKey) {
          this.close(4401, 'session ended');
        } else if (control.type === 'access.changed') {
          this.observer.accessChanged(control.conversationId);
        }
        return;
      }
    }
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

  private sendMessage(message: LiveMessage): void {
    this.sendEncoded('message.new', message.frame);
  }

  private sendEncoded(event: ServerFrame['event'], bytes: Buffer): void {
    if (!this.ready) {
      this.beforeReady.push({ event, bytes });
      return;
    }
    this.write(event, bytes);
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
