import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type PresenceResponse, TYPING_RELAY_INTERVAL_MS, type User } from '@chat/protocol';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DomainEvents } from '../../common/domain-events';
import { ConversationAccessService } from '../access/conversation-access.service';
import { ConversationRepository } from '../chat/conversation.repository';
import {
  type PresenceConnection,
  PresenceRepository,
  TypingRepository,
} from './presence.repository';

const SWEEP_BATCH = 500;
/** How long a place taken at the handshake is held before the socket's own touch. */
const RESERVATION_TTL_MS = 10_000;

/**
 * Online/offline per user, whatever the number of tabs or replicas: a user is online while at
 * least one of their sockets is live. Announces changes as `presence.changed` domain events.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly presence: PresenceRepository,
    private readonly typing: TypingRepository,
    private readonly access: ConversationAccessService,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get ttlMs(): number {
    return this.config.presenceTtlSeconds * 1000;
  }

  onModuleInit(): void {
    // Every replica sweeps, so the users of a replica that died go offline even if it never
    // comes back; the store hands each expired user to one sweeper only. Sweeping twice per
    // heartbeat keeps "offline within TTL + one heartbeat" with room to spare.
    this.sweepTimer = setInterval(
      () => {
        this.sweep().catch((error: unknown) =>
          this.logger.warn({ err: error }, 'presence sweep failed'),
        );
      },
      Math.max(100, Math.floor(this.config.wsHeartbeatMs / 2)),
    );
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  async connect(connection: PresenceConnection): Promise<void> {
    await this.touch([connection]);
  }

  /**
   * Takes one of the user's `maxConnections` places for a socket being upgraded, atomically
   * across replicas. The place is held briefly: the socket's first heartbeat-length touch
   * (`connect`) extends it, and an upgrade that never completes frees it within that time.
   */
  async reserve(connection: PresenceConnection, maxConnections: number): Promise<boolean> {
    const { reserved, cameOnline } = await this.presence.reserve(
      connection,
      Math.min(this.ttlMs, RESERVATION_TTL_MS),
      maxConnections,
    );
    if (cameOnline)
      this.events.emit('presence.changed', { userId: connection.userId, online: true });
    return reserved;
  }

  /** Called on every heartbeat with this replica's live sockets. */
  async touch(connections: readonly PresenceConnection[]): Promise<void> {
    if (!connections.length) return;
    for (const userId of await this.presence.touch(connections, this.ttlMs)) {
      this.events.emit('presence.changed', { userId, online: true });
    }
  }

  async disconnect(connection: PresenceConnection): Promise<void> {
    if (await this.presence.remove(connection)) {
      this.events.emit('presence.changed', { userId: connection.userId, online: false });
    }
  }

  async sweep(): Promise<void> {
    for (const userId of await this.presence.sweepExpired(SWEEP_BATCH)) {
      this.events.emit('presence.changed', { userId, online: false });
    }
  }

  onlineUserIds(userIds: readonly string[]): Promise<Set<string>> {
    return this.presence.onlineUserIds(userIds);
  }

  isOnline(userId: string): Promise<boolean> {
    return this.presence.onlineUserIds([userId]).then((online) => online.has(userId));
  }

  /** Who of the conversation's participants is online; the caller must be allowed to open it. */
  async conversationPresence(user: User, conversationId: string): Promise<PresenceResponse> {
    await this.access.open(user, conversationId, { join: false });
    const participantIds = await this.conversations.listParticipants(conversationId);
    const online = await this.presence.onlineUserIds(participantIds);
    return { members: participantIds.map((userId) => ({ userId, online: online.has(userId) })) };
  }

  /** Relays "is typing" at most once per interval per user and conversation, across replicas. */
  async startTyping(user: User, conversationId: string): Promise<void> {
    await this.access.open(user, conversationId, { join: false });
    if (await this.typing.acquireRelay(conversationId, user.id, TYPING_RELAY_INTERVAL_MS)) {
      this.events.emit('typing.started', {
        conversationId,
        userId: user.id,
        expiresInMs: this.config.typingTtlSeconds * 1000,
      });
    }
  }
}
