import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { RateLimiter } from '../../common/rate-limiter';
import { type AppConfig } from '../../config/app-config';
import { SessionRepository } from '../../modules/auth/session.repository';
import { BookingRepository } from '../../modules/bookings/booking.repository';
import { ConversationRepository } from '../../modules/chat/conversation.repository';
import { InboxRepository } from '../../modules/chat/inbox.repository';
import { MessageRepository } from '../../modules/chat/message.repository';
import { ReadStateRepository } from '../../modules/chat/read-state.repository';
import { EngineHealth } from '../../modules/health/engine-health';
import { NotificationRepository } from '../../modules/notifications/notification.repository';
import { PresenceRepository, TypingRepository } from '../../modules/presence/presence.repository';
import { UserRepository } from '../../modules/users/user.repository';
import { RedisModule } from '../redis/redis.module';
import { MemoryBookingRepository } from './memory/memory-booking.repository';
import { MemoryChatStore } from './memory/memory-chat-store';
import { MemoryConversationRepository } from './memory/memory-conversation.repository';
import { MemoryEngineHealth } from './memory/memory-engine-health';
import { MemoryInboxRepository } from './memory/memory-inbox.repository';
import { MemoryMessageRepository } from './memory/memory-message.repository';
import { MemoryNotificationRepository } from './memory/memory-notification.repository';
import {
  MemoryPresenceRepository,
  MemoryTypingRepository,
} from './memory/memory-presence.repository';
import { MemoryRateLimiter } from './memory/memory-rate-limiter';
import { MemoryReadStateRepository } from './memory/memory-read-state.repository';
import { MemorySessionRepository } from './memory/memory-session.repository';
import { MemoryUserRepository } from './memory/memory-user.repository';
import { ConversationCopiesWriter } from './redis/conversation-copies';
import { RedisBookingRepository } from './redis/redis-booking.repository';
import { RedisLayoutMigration } from './redis/redis-layout-migration';
import { RedisConversationRepository } from './redis/redis-conversation.repository';
import { RedisEngineHealth } from './redis/redis-engine-health';
import { RedisInboxRepository } from './redis/redis-inbox.repository';
import { RedisMessageRepository } from './redis/redis-message.repository';
import { RedisNotificationRepository } from './redis/redis-notification.repository';
import { RedisPresenceRepository, RedisTypingRepository } from './redis/redis-presence.repository';
import { RedisRateLimiter } from './redis/redis-rate-limiter';
import { RedisReadStateRepository } from './redis/redis-read-state.repository';
import { RedisSessionRepository } from './redis/redis-session.repository';
import { RedisUserRepository } from './redis/redis-user.repository';

/** Each port with its implementation per engine. */
export const ENGINE_BINDINGS = [
  { port: UserRepository, memory: MemoryUserRepository, redis: RedisUserRepository },
  { port: SessionRepository, memory: MemorySessionRepository, redis: RedisSessionRepository },
  { port: BookingRepository, memory: MemoryBookingRepository, redis: RedisBookingRepository },
  {
    port: ConversationRepository,
    memory: MemoryConversationRepository,
    redis: RedisConversationRepository,
  },
  { port: MessageRepository, memory: MemoryMessageRepository, redis: RedisMessageRepository },
  { port: InboxRepository, memory: MemoryInboxRepository, redis: RedisInboxRepository },
  { port: ReadStateRepository, memory: MemoryReadStateRepository, redis: RedisReadStateRepository },
  {
    port: NotificationRepository,
    memory: MemoryNotificationRepository,
    redis: RedisNotificationRepository,
  },
  { port: EngineHealth, memory: MemoryEngineHealth, redis: RedisEngineHealth },
  { port: PresenceRepository, memory: MemoryPresenceRepository, redis: RedisPresenceRepository },
  { port: TypingRepository, memory: MemoryTypingRepository, redis: RedisTypingRepository },
  { port: RateLimiter, memory: MemoryRateLimiter, redis: RedisRateLimiter },
] as const;

/**
 * Binds every repository port to the Redis engine when Redis is configured, else to the
 * embedded in-process engine (one replica only).
 */
@Global()
@Module({})
export class EngineModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers: Provider[] = ENGINE_BINDINGS.map((binding) => ({
      provide: binding.port,
      useClass: config.redis ? binding.redis : binding.memory,
    }));
    // The embedded engine's chat repositories share one store (see MemoryChatStore); the Redis
    // engine's share the writer of the participants' copies, and migrate an older layout first.
    if (config.redis) providers.push(ConversationCopiesWriter, RedisLayoutMigration);
    else providers.push(MemoryChatStore);
    return {
      module: EngineModule,
      imports: config.redis ? [RedisModule.forRoot(config)] : [],
      providers,
      exports: ENGINE_BINDINGS.map((binding) => binding.port),
    };
  }
}
