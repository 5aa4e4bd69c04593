import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../../common/domain-events';
import { rooms, type RoomEvent } from '../../../infra/realtime/room-event';
import { RoomHub } from '../../../infra/realtime/room-hub';
import { PresenceService } from '../../presence/presence.service';
import { ConversationRepository } from '../conversation.repository';
import { UnreadAnnouncer } from './unread-announcer';

/**
 * Decides who hears about each domain event and publishes it to those rooms, on the replica
 * where it happened; the bus carries it to every replica with members there. A new message is
 * the exception: the store publishes it to its room with the append.
 */
@Injectable()
export class RealtimeFanoutService implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribers: Array<() => void> = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly hub: RoomHub,
    private readonly unread: UnreadAnnouncer,
    private readonly conversations: ConversationRepository,
    private readonly presence: PresenceService,
  ) {}

  onModuleInit(): void {
    this.unsubscribers.push(
      // The message itself went to its room with the append (MessageRepository.append).
      this.events.on('message.created', ({ message, participantIds }) =>
        this.unread.changed(
          message.conversationId,
          participantIds.filter((userId) => userId !== message.author.id),
          'message',
        ),
      ),
      this.events.on('conversation.read', ({ userId, conversationId }) =>
        this.unread.changed(conversationId, [userId], 'read'),
      ),
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
}
