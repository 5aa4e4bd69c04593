import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type ServerFrame } from '@chat/protocol';
import { DomainEvents } from '../../../common/domain-events';
import { ConversationRepository } from '../../chat/conversation.repository';
import { PresenceService } from '../../presence/presence.service';
import { RoomHub } from './room-hub';
import { rooms } from './room-events';
import { UnreadAnnouncer } from './unread-announcer';

/**
 * Decides who hears about each domain event and publishes it to those rooms, on the replica
 * where it happened; the bus carries it to every replica with members there. A new message
 * itself is published by the message store with its append (see LiveMessageAnnouncer).
 */
@Injectable()
export class RealtimeDeliveryService implements OnModuleInit, OnModuleDestroy {
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
      this.events.on('message.posted', ({ message, created, participantIds }) => {
        if (!created) return;
        return this.unread.changed(
          message.conversationId,
          participantIds.filter((userId) => userId !== message.author.id),
          'message',
        );
      }),
      this.events.on('conversation.read', ({ userId, conversationId }) =>
        this.unread.changed(conversationId, [userId], 'read'),
      ),
      this.events.on('notification.created', ({ userId, notification, unreadCount }) =>
        this.toUser(userId, {
          event: 'notification.new',
          data: { notification, unreadCount },
        }),
      ),
      this.events.on('notification.unread', ({ userId, count }) =>
        this.toUser(userId, { event: 'notification.unread', data: { count } }),
      ),
      this.events.on('session.revoked', ({ userId, sessionKey }) =>
        this.hub.publishControl(rooms.user(userId), { type: 'session.revoked', sessionKey }),
      ),
      this.events.on('typing.started', ({ conversationId, userId, expiresInMs }) =>
        this.hub.publishFrame(
          rooms.conversation(conversationId),
          { event: 'typing', data: { conversationId, userId, expiresInMs } },
          userId,
        ),
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
        this.hub.publishControl(rooms.user(userId), { type: 'access.changed' }),
      ),
      this.events.on('conversation.access.changed', ({ conversationId }) =>
        this.hub.publishControl(rooms.conversation(conversationId), {
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

  private toUser(userId: string, frame: ServerFrame): Promise<void> {
    return this.hub.publishFrame(rooms.user(userId), frame);
  }

  private publishPresence(conversationId: string, userId: string, online: boolean): Promise<void> {
    return this.hub.publishFrame(rooms.conversation(conversationId), {
      event: 'presence',
      data: { conversationId, userId, online },
    });
  }
}
