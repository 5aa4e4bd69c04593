import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChatModule } from '../chat/chat.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { PresenceModule } from '../presence/presence.module';
import { UsersModule } from '../users/users.module';
import { ConnectionRegistry } from './connection-registry';
import { ConversationSubscriptions } from './delivery/conversation-subscriptions';
import { LiveMessagesModule } from './delivery/live-messages.module';
import { ReadReceiptAnnouncer } from './delivery/read-receipt-announcer';
import { RealtimeDeliveryService } from './delivery/realtime-delivery.service';
import { RoomHub } from './delivery/room-hub';
import { ChatGateway } from './gateway/chat.gateway';
import { GatewayHandshake } from './gateway/gateway-handshake';
import { RealtimeCommands } from './gateway/realtime-commands.service';
import { ConnectionLifecycle } from './lifecycle/connection-lifecycle';
import { RealtimeDrain } from './lifecycle/realtime-drain';
import { RealtimeHeartbeat } from './lifecycle/realtime-heartbeat';

/**
 * The app-wide socket: the `/ws/chat` gateway (transport), delivery (rooms, the bus, cursors,
 * the mapping of domain events to rooms) and the sockets' lifecycle (open, heartbeat, drain).
 */
@Module({
  imports: [
    AccessModule,
    ChatModule,
    NotificationsModule,
    PresenceModule,
    UsersModule,
    LiveMessagesModule,
  ],
  providers: [
    ChatGateway,
    GatewayHandshake,
    RealtimeCommands,
    RoomHub,
    ConversationSubscriptions,
    RealtimeDeliveryService,
    ReadReceiptAnnouncer,
    ConnectionRegistry,
    ConnectionLifecycle,
    RealtimeHeartbeat,
    RealtimeDrain,
  ],
  exports: [GatewayHandshake, RealtimeDrain, ConnectionRegistry, RoomHub],
})
export class RealtimeModule {}
