import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { PresenceModule } from '../../presence/presence.module';
import { UsersModule } from '../../users/users.module';
import { ChatModule } from '../chat.module';
import { ChatRealtimeService } from './chat-realtime.service';
import { ChatGateway } from './chat.gateway';
import { ConnectionRegistry } from './connection-registry';
import { GatewayHandshake } from './gateway-handshake';
import { RealtimeDrain } from './realtime-drain';
import { RealtimeFanoutService } from './realtime-fanout.service';
import { RealtimeHeartbeat } from './realtime-heartbeat';
import { UnreadAnnouncer } from './unread-announcer';

/** The `/ws/chat` gateway and what carries domain events to sockets. */
@Module({
  imports: [AccessModule, ChatModule, NotificationsModule, PresenceModule, UsersModule],
  providers: [
    ChatGateway,
    GatewayHandshake,
    ChatRealtimeService,
    RealtimeFanoutService,
    UnreadAnnouncer,
    ConnectionRegistry,
    RealtimeHeartbeat,
    RealtimeDrain,
  ],
  exports: [GatewayHandshake, RealtimeDrain, ConnectionRegistry],
})
export class ChatRealtimeModule {}
