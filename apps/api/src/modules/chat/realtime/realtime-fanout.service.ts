import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../../common/domain-events';
import { rooms, type RoomEvent } from '../../../infra/realtime/room-event';
import { RoomHub } from '../../../infra/realtime/room-hub';
import { PresenceService } from '../../presence/presence.service';
import { ChatService } from '../chat.service';
import { ConversationRepository } from '../conversation.repository';

/**
 * Decides who hears about each domain event and publishes it to those rooms, on the replica
 * where it happened; the bus carries it to every replica with members there.
 */
@Injectable()
export class RealtimeFanoutService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeFanoutService.name);
  private readonly unsubscribers: Array<() => void> = [];
  /** Per user, the conversations whose unread count changed and is not announced yet. */
  private readonly unreadChanged = new Map<string, Set<string>>();
  private readonly unreadAnnouncing = new Set<string>();

  constructor(
    private readonly events: DomainEvents,
    private readonly hub: RoomHub,
    private readonly chat: ChatService,
    private readonly conversations: ConversationRepository,
    private readonly presence: PresenceService,
  ) {}

  onModuleInit(): void {
    this.unsubscribers.push(
      this.events.on('message.created', async ({ message, participantIds }) => {
        const { conversationId } = message;
        await this.publish(rooms.conversation(conversationId), {
          type: 'frame',
          frame: { event: 'message.new', data: { conversationId, message } },
        });
        for (const userId of participantIds) {
          if (userId !== message.author.id) this.unreadChangedFor(userId, conversationId);
        }
      }),
      this.events.on('conversation.read', ({ userId, conversationId }) => {
        this.unreadChangedFor(userId, conversationId);
      }),
      this.events.on('notification.created', ({ userId, notification, unreadCount }) =>
        this.publish(rooms.user(userId), {
          type: 'frame',
          frame: { event: 'notification.new', data: { notification, unreadCount } },
        }),
      ),
      this.events.on('notification.unread', ({ userId, count }) =>
        this.publish(rooms.user(userId), {
          type: 'frame',
          frame: { event: 'notification.unread', data: { count } },
        }),
      ),
      this.events.on('session.revoked', ({ userId, sessionKey }) =>
        this.publish(rooms.user(userId), { type: 'session.revoked', sessionKey }),
      ),
      this.events.on('typing.started', ({ conversationId, userId, expiresInMs }) =>
        this.publish(rooms.conversation(conversationId), {
          type: 'frame',
          frame: { event: 'typing', data: { conversationId, userId, expiresInMs } },
          exceptUserId: userId,
        }),
      ),
      this.events.on('presence.changed', async ({ userId, online }) => {
        const conversationIds = await this.conversations.listForUser(userId);
        await Promise.all(
          conversationIds.map((conversationId) =>
            this.publishPresence(conversationId, userId, online),
          ),
        );
      }),
      this.events.on('user.access.changed', ({ userId }) =>
        this.publish(rooms.user(userId), { type: 'access.changed' }),
      ),
      this.events.on('conversation.access.changed', ({ conversationId }) =>
        this.publish(rooms.conversation(conversationId), {
          type: 'access.changed',
          conversationId,
        }),
      ),
      this.events.on('conversation.joined', async ({ conversationId, userId }) => {
        await this.publishPresence(conversationId, userId, await this.presence.isOnline(userId));
      }),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  private publish(room: string, event: RoomEvent): Promise<void> {
    return this.hub.publish(room, event);
  }

  private publishPresence(conversationId: string, userId: string, online: boolean): Promise<void> {
    return this.publish(rooms.conversation(conversationId), {
      type: 'frame',
      frame: { event: 'presence', data: { conversationId, userId, online } },
    });
  }

  /**
   * Unread counts are recomputed per user, at most one computation in flight per user: a burst
   * of messages costs a few recomputations, not one per message.
   */
  private unreadChangedFor(userId: string, conversationId: string): void {
    let changed = this.unreadChanged.get(userId);
    if (!changed) {
      changed = new Set();
      this.unreadChanged.set(userId, changed);
    }
    changed.add(conversationId);
    if (this.unreadAnnouncing.has(userId)) return;
    this.unreadAnnouncing.add(userId);
    this.announceUnread(userId).catch((error: unknown) => {
      this.unreadAnnouncing.delete(userId);
      this.logger.warn(
        `unread update for ${userId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private async announceUnread(userId: string): Promise<void> {
    for (;;) {
      const conversationIds = this.unreadChanged.get(userId);
      if (!conversationIds) {
        // Synchronously with the check, so a change recorded from now on starts a new round.
        this.unreadAnnouncing.delete(userId);
        return;
      }
      this.unreadChanged.delete(userId);
      // Nobody to tell: the counts are computed when they connect (`ready`) or ask over HTTP.
      if (!(await this.presence.isOnline(userId))) continue;
      const unread = await this.chat.unreadOf(userId);
      if (!unread) continue;
      await Promise.all(
        [...conversationIds].map((conversationId) =>
          this.publish(rooms.user(userId), {
            type: 'frame',
            frame: {
              event: 'unread',
              data: {
                conversationId,
                count: unread.conversations[conversationId] ?? 0,
                total: unread.total,
              },
            },
          }),
        ),
      );
    }
  }
}
