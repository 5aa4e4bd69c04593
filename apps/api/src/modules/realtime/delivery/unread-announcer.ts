import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type ServerFrame } from '@chat/protocol';
import { UnreadService } from '../../chat/unread.service';
import { ConnectionRegistry } from '../connection-registry';
import { REALTIME_LIMITS } from '../realtime-limits';
import { RoomHub } from './room-hub';
import { type RoomDelivery, type RoomMember, rooms, type UnreadCause } from './room-events';

/** Users whose frames are written before the announcer lets other work (live messages) run. */
const USERS_PER_TURN = 250;

/**
 * Tells users their new unread counts (`unread` frames) after messages and reads.
 *
 * Where a change happens, one event names the conversation and the users whose counts changed;
 * it goes to every replica (the `unread` room), and each replica tells only its own sockets:
 * - a socket subscribed to the conversation gets no `unread` for a new message there, because
 *   it has the message itself (`message.new`); after a read every socket of the user gets one;
 * - the counts of every user due are computed together, in a few store round trips;
 * - a user hears at once about a change after a quiet spell, and then at most once per
 *   `unreadIntervalMs` with the latest counts while their rooms stay busy. The messages
 *   themselves are never held back; only the badge catches up at the end of the interval.
 * A user with no socket on this replica costs this replica nothing but a map lookup: counts are
 * computed only for users it has sockets of, who are the online ones.
 */
@Injectable()
export class UnreadAnnouncer implements RoomMember, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UnreadAnnouncer.name);
  /** Per user, the conversations whose count changed and is not announced yet, and why. */
  private readonly pending = new Map<string, Map<string, UnreadCause>>();
  /** When each user was last announced to, within the last interval or so. */
  private readonly announcedAt = new Map<string, number>();
  private lastPrunedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private stopped = false;

  constructor(
    private readonly hub: RoomHub,
    private readonly unread: UnreadService,
    private readonly registry: ConnectionRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.hub.join(rooms.unread(), this);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.hub.leave(rooms.unread(), this);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The counts of `userIds` in the conversation changed; every replica hears of it. */
  changed(conversationId: string, userIds: readonly string[], cause: UnreadCause): Promise<void> {
    if (!userIds.length) return Promise.resolve();
    return this.hub.publishControl(rooms.unread(), {
      type: 'unread.changed',
      conversationId,
      userIds: [...userIds],
      cause,
    });
  }

  receive(delivery: RoomDelivery): void {
    if (delivery.kind !== 'control' || delivery.control.type !== 'unread.changed') return;
    const event = delivery.control;
    const { conversationId, cause } = event;
    for (const userId of event.userIds) {
      const sockets = this.registry.ofUser(userId);
      if (!sockets.size) continue;
      if (cause === 'message' && !someNotSubscribed(sockets, conversationId)) continue;
      let conversations = this.pending.get(userId);
      if (!conversations) {
        conversations = new Map();
        this.pending.set(userId, conversations);
      }
      if (conversations.get(conversationId) !== 'read') conversations.set(conversationId, cause);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.flushing || this.timer || this.pending.size === 0) return;
    let due = Infinity;
    for (const userId of this.pending.keys()) {
      due = Math.min(due, this.dueAt(userId));
      if (due <= 0) break;
    }
    // Even when due now: changes that arrive in this turn of the event loop join the same batch.
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.flush();
      },
      Math.max(0, due - Date.now()),
    );
  }

  private dueAt(userId: string): number {
    const last = this.announcedAt.get(userId);
    return last === undefined ? 0 : last + REALTIME_LIMITS.unreadIntervalMs;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const now = Date.now();
    const batch = new Map<string, Map<string, UnreadCause>>();
    for (const [userId, conversations] of this.pending) {
      if (this.dueAt(userId) > now) continue;
      batch.set(userId, conversations);
      this.pending.delete(userId);
      this.announcedAt.set(userId, now);
    }
    this.prune(now);
    try {
      await this.announce(batch);
    } catch (error) {
      this.logger.warn({ err: error }, `unread update for ${batch.size} users failed`);
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  private async announce(batch: Map<string, Map<string, UnreadCause>>): Promise<void> {
    const userIds = [...batch.keys()].filter((userId) => this.registry.ofUser(userId).size > 0);
    if (!userIds.length) return;
    const unread = await this.unread.ofUsers(userIds);
    let written = 0;
    for (const [userId, counts] of unread) {
      for (const [conversationId, cause] of batch.get(userId) ?? []) {
        const frame: ServerFrame = {
          event: 'unread',
          data: {
            conversationId,
            count: counts.conversations[conversationId] ?? 0,
            total: counts.total,
          },
        };
        for (const socket of this.registry.ofUser(userId)) {
          if (cause === 'message' && socket.follows(conversationId)) continue;
          socket.send(frame);
        }
      }
      // A flush can hold thousands of users: let live messages through between slices.
      if (++written % USERS_PER_TURN === 0) await nextTurn();
    }
  }

  /** Forgets users whose interval has passed, once per interval. */
  private prune(now: number): void {
    if (now - this.lastPrunedAt < REALTIME_LIMITS.unreadIntervalMs) return;
    this.lastPrunedAt = now;
    for (const [userId, at] of this.announcedAt) {
      if (at + REALTIME_LIMITS.unreadIntervalMs <= now) this.announcedAt.delete(userId);
    }
  }
}

function someNotSubscribed(
  sockets: ReadonlySet<{ follows(conversationId: string): boolean }>,
  conversationId: string,
): boolean {
  for (const socket of sockets) if (!socket.follows(conversationId)) return true;
  return false;
}
