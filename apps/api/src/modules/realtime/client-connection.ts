import { type ServerFrame, type User } from '@chat/protocol';
import { ConversationCursor, type CursorOutput } from './delivery/conversation-cursor';
import {
  type ControlEvent,
  type LiveMessage,
  type RoomDelivery,
  type RoomMember,
} from './delivery/room-events';
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
  /** Someone joined a conversation this socket follows: follow their presence too. */
  participantJoined(conversationId: string, userId: string): void;
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
  /** Whose presence this socket follows, and for which of its conversations. */
  private readonly presenceOf = new Map<string, Set<string>>();
  /** Keyed frames held back while the socket heard one within the interval, latest per key. */
  private readonly heldFrames = new Map<string, EncodedFrame>();
  private keyedFramesAllowedAt = 0;
  private heldTimer: NodeJS.Timeout | null = null;
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

  /**
   * Follows the presence of these participants of a followed conversation; returns the users
   * whose presence it did not follow yet (their rooms to join).
   */
  followPresence(conversationId: string, userIds: readonly string[]): string[] {
    const added: string[] = [];
    for (const userId of userIds) {
      if (userId === this.currentUser.id) continue;
      let conversations = this.presenceOf.get(userId);
      if (!conversations) {
        conversations = new Set();
        this.presenceOf.set(userId, conversations);
        added.push(userId);
      }
      conversations.add(conversationId);
    }
    return added;
  }

  /** Stops following presence for a conversation; returns the users no longer followed at all. */
  unfollowPresence(conversationId: string): string[] {
    const dropped: string[] = [];
    for (const [userId, conversations] of this.presenceOf) {
      if (conversations.delete(conversationId) && conversations.size === 0) {
        this.presenceOf.delete(userId);
        dropped.push(userId);
      }
    }
    return dropped;
  }

  /** Every user whose presence this socket follows. */
  presenceFollowed(): IterableIterator<string> {
    return this.presenceOf.keys();
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
        if (delivery.exceptUserId === this.currentUser.id) return;
        if (delivery.key === undefined) this.sendEncoded(delivery.event, delivery.frame);
        else this.sendKeyed(delivery.key, { event: delivery.event, bytes: delivery.frame });
        return;
      case 'control':
        this.control(delivery.control);
        return;
    }
  }

  private control(control: ControlEvent): void {
    switch (control.type) {
      case 'session.revoked':
        if (control.sessionKey === this.sessionKey) this.close(4401, 'session ended');
        return;
      case 'access.changed':
        this.observer.accessChanged(control.conversationId);
        return;
      case 'presence': {
        const { userId, online } = control;
        for (const conversationId of this.presenceOf.get(userId) ?? []) {
          this.send({ event: 'presence', data: { conversationId, userId, online } });
        }
        return;
      }
      case 'participant.joined':
        if (this.cursors.has(control.conversationId)) {
          this.observer.participantJoined(control.conversationId, control.userId);
        }
        return;
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
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldFrames.clear();
    for (const cursor of this.cursors.values()) cursor.close();
    this.cursors.clear();
  }

  private sendMessage(message: LiveMessage): void {
    this.sendEncoded('message.new', message.frame);
  }

  /**
   * Keyed frames (unread counts, by conversation): the first after a quiet interval goes out at
   * once; while more keep coming, the socket gets the latest per key once per interval.
   */
  private sendKeyed(key: string, frame: EncodedFrame): void {
    const now = Date.now();
    if (now >= this.keyedFramesAllowedAt && !this.heldFrames.size) {
      this.keyedFramesAllowedAt = now + REALTIME_LIMITS.keyedFrameIntervalMs;
      this.sendEncoded(frame.event, frame.bytes);
      return;
    }
    // Re-inserted, so the held frames go out in the order of their latest change.
    this.heldFrames.delete(key);
    this.heldFrames.set(key, frame);
    if (this.heldTimer) return;
    this.heldTimer = setTimeout(
      () => this.flushHeld(),
      Math.max(0, this.keyedFramesAllowedAt - now),
    );
    this.heldTimer.unref();
  }

  private flushHeld(): void {
    this.heldTimer = null;
    this.keyedFramesAllowedAt = Date.now() + REALTIME_LIMITS.keyedFrameIntervalMs;
    for (const frame of this.heldFrames.values()) this.sendEncoded(frame.event, frame.bytes);
    this.heldFrames.clear();
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
