import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type ServerFrame } from '@chat/protocol';
import { DomainEvents } from '../../../common/domain-events';
import { PresenceService } from '../../presence/presence.service';
import { RoomHub } from './room-hub';
import { rooms } from './room-events';

/**
 * Decides who hears about each domain event and publishes it to those rooms, on the replica
 * where it happened; the bus carries it to every replica with members there. A new message and
 * the unread counts it changes are published by the stores as they change (see LiveAnnouncer).
 */
@Injectable()
export class RealtimeDeliveryService implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribers: Array<() => void> = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly hub: RoomHub,
    private readonly presence: PresenceService,
  ) {}

  onModuleInit(): void {
    this.unsubscribers.push(
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
      // One publication, whatever the number of the user's threads: the sockets following a
      // conversation of theirs follow their presence room.
      this.events.on('presence.changed', ({ userId, online }) =>
        this.hub.publishControl(rooms.presence(userId), { type: 'presence', userId, online }),
      ),
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
        const room = rooms.conversation(conversationId);
        await this.hub.publishControl(room, { type: 'participant.joined', conversationId, userId });
        await this.hub.publishFrame(room, {
          event: 'presence',
          data: { conversationId, userId, online: await this.presence.isOnline(userId) },
        });
      }),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  private toUser(userId: string, frame: ServerFrame): Promise<void> {
    return this.hub.publishFrame(rooms.user(userId), frame);
  }
}
