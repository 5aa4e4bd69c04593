import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { UnreadService } from '../../chat/unread.service';
import { InAppNotificationService } from '../../notifications/in-app-notification.service';
import { PresenceService } from '../../presence/presence.service';
import { type ClientConnection } from '../client-connection';
import { ConnectionRegistry } from '../connection-registry';
import { ConversationSubscriptions } from '../delivery/conversation-subscriptions';
import { RoomHub } from '../delivery/room-hub';
import { rooms } from '../delivery/room-events';

/** A socket's first and last steps: presence, its user room, `ready`; and leaving it all. */
@Injectable()
export class ConnectionLifecycle {
  constructor(
    private readonly presence: PresenceService,
    private readonly hub: RoomHub,
    private readonly subscriptions: ConversationSubscriptions,
    private readonly notifications: InAppNotificationService,
    private readonly unread: UnreadService,
    private readonly registry: ConnectionRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A socket was accepted: presence, its user room, then `ready` as its first frame. */
  async open(connection: ClientConnection): Promise<void> {
    const { user } = connection;
    await this.presence.connect({ userId: user.id, connectionId: connection.id });
    await this.hub.join(rooms.user(user.id), connection);
    const [notifications, chat] = await Promise.all([
      this.notifications.unreadCount(user.id),
      this.unread.total(user.id),
    ]);
    connection.markReady({
      event: 'ready',
      data: {
        userId: user.id,
        connectionId: connection.id,
        heartbeatMs: this.config.wsHeartbeatMs,
        unread: { notifications, chat },
      },
    });
  }

  /** The socket is gone: leave every room and, if it was the user's last, go offline. */
  async close(connection: ClientConnection): Promise<void> {
    this.subscriptions.leaveAll(connection);
    connection.disposed();
    try {
      await this.presence.disconnect({ userId: connection.user.id, connectionId: connection.id });
    } finally {
      this.registry.remove(connection);
    }
  }
}
