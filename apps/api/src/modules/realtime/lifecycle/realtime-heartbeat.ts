import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { SessionRepository } from '../../auth/session.repository';
import { PresenceService } from '../../presence/presence.service';
import { type ClientConnection } from '../client-connection';
import { ConnectionRegistry } from '../connection-registry';

/**
 * The heartbeat visits a tenth of the sockets every tenth of `WS_HEARTBEAT_MS`: thousands of
 * pings, presence refreshes and session lookups at once would hold up live messages.
 */
const SLICES = 10;

/**
 * Every `WS_HEARTBEAT_MS`, for each socket: cuts it if it stayed silent for two beats, or pings
 * it, refreshes its presence (which therefore lapses when this replica stops, even by SIGKILL),
 * and closes it with 4401 if its session is gone without a logout event (expiry, or a
 * revocation whose event was lost in a Redis blip). Sockets are spread over {@link SLICES}
 * evenly spaced beats.
 */
@Injectable()
export class RealtimeHeartbeat implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeHeartbeat.name);
  private readonly slots = new WeakMap<ClientConnection, number>();
  private nextSlot = 0;
  private slice = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly presence: PresenceService,
    private readonly sessions: SessionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.beat(), this.config.wsHeartbeatMs / SLICES);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One beat: the sockets of the next slice. */
  beat(): void {
    const slice = this.slice;
    this.slice = (slice + 1) % SLICES;
    const due: ClientConnection[] = [];
    for (const connection of this.registry.all()) {
      if (connection.isClosing || this.slotOf(connection) !== slice) continue;
      if (connection.beat()) due.push(connection);
    }
    if (!due.length) return;
    this.presence
      .touch(due.map((connection) => ({ userId: connection.user.id, connectionId: connection.id })))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'presence refresh failed'));
    this.closeEndedSessions(due).catch((error: unknown) =>
      this.logger.warn({ err: error }, 'session check failed'),
    );
  }

  private slotOf(connection: ClientConnection): number {
    let slot = this.slots.get(connection);
    if (slot === undefined) {
      slot = this.nextSlot;
      this.nextSlot = (slot + 1) % SLICES;
      this.slots.set(connection, slot);
    }
    return slot;
  }

  private async closeEndedSessions(connections: readonly ClientConnection[]): Promise<void> {
    const sessionKeys = [...new Set(connections.map((connection) => connection.sessionKey))];
    const found = await Promise.all(sessionKeys.map((key) => this.sessions.find(key)));
    const ended = new Set(sessionKeys.filter((_, index) => found[index] === null));
    for (const connection of connections) {
      if (ended.has(connection.sessionKey)) connection.close(4401, 'session ended');
    }
  }
}
