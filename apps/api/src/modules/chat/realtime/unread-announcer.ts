import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { rooms } from '../../../infra/realtime/room-event';
import { RoomHub } from '../../../infra/realtime/room-hub';
import { PresenceService } from '../../presence/presence.service';
import { ChatService } from '../chat.service';
import { REALTIME_LIMITS } from './realtime-limits';

/**
 * Tells users their new unread counts (`unread` to `user:<id>`) after messages and reads.
 *
 * A message to a room of fifty changes fifty users' counts. Computing and sending them one user
 * and one message at a time made unread updates cost several times the message itself, so:
 * - the counts of every user due are computed together, in a few store round trips;
 * - a user hears at once about a change after a quiet spell, and then at most once per
 *   `unreadIntervalMs` with the latest counts while their rooms stay busy. The messages
 *   themselves are never held back; only the badge catches up at the end of the interval.
 * Offline users are skipped: they get their counts in `ready` or over HTTP.
 */
@Injectable()
export class UnreadAnnouncer implements OnModuleDestroy {
  private readonly logger = new Logger(UnreadAnnouncer.name);
  /** Per user, the conversations whose count changed and is not announced yet. */
  private readonly pending = new Map<string, Set<string>>();
  /** When each user was last announced to, within the last interval or so. */
  private readonly announcedAt = new Map<string, number>();
  private lastPrunedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private stopped = false;

  constructor(
    private readonly hub: RoomHub,
    private readonly chat: ChatService,
    private readonly presence: PresenceService,
  ) {}

  changed(userId: string, conversationId: string): void {
    let conversations = this.pending.get(userId);
    if (!conversations) {
      conversations = new Set();
      this.pending.set(userId, conversations);
    }
    conversations.add(conversationId);
    this.schedule();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped || this.flushing || this.timer || this.pending.size === 0) return;
    let due = Infinity;
    for (const userId of this.pending.keys()) {
      due = Math.min(due, this.dueAt(userId));
      if (due <= 0) break;
    }
    // Even when due now: changes made in this turn of the event loop join the same batch.
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
    const batch = new Map<string, Set<string>>();
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
      this.logger.warn(
        `unread update for ${batch.size} users failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  private async announce(batch: Map<string, Set<string>>): Promise<void> {
    if (!batch.size) return;
    const online = await this.presence.onlineUserIds([...batch.keys()]);
    if (!online.size) return;
    const unread = await this.chat.unreadOfMany([...online]);
    const publications: Array<Promise<void>> = [];
    for (const [userId, counts] of unread) {
      for (const conversationId of batch.get(userId) ?? []) {
        publications.push(
          this.hub.publish(rooms.user(userId), {
            type: 'frame',
            frame: {
              event: 'unread',
              data: {
                conversationId,
                count: counts.conversations[conversationId] ?? 0,
                total: counts.total,
              },
            },
          }),
        );
      }
    }
    await Promise.all(publications);
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
