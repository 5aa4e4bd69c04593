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
import { ConnectionRegistry } from './connection-registry';

/** Pongs a socket may miss before it is terminated. */
const MISSED_PONGS_LIMIT = 2;

/**
 * Every `WS_HEARTBEAT_MS`: terminates sockets that missed two pongs, pings the others,
 * refreshes their presence (which therefore lapses when this replica stops, even by SIGKILL),
 * and closes with 4401 the sockets whose session is gone without a logout event (expiry, or a
 * revocation whose event was lost in a Redis blip).
 */
@Injectable()
export class RealtimeHeartbeat implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeHeartbeat.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly presence: PresenceService,
    private readonly sessions: SessionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.beat(), this.config.wsHeartbeatMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  beat(): void {
    const live = [];
    for (const connection of this.registry.all()) {
      if (connection.isClosing) continue;
      if (connection.missedPongs >= MISSED_PONGS_LIMIT) {
        connection.terminate();
        continue;
      }
      connection.missedPongs++;
      connection.ping();
      live.push({ userId: connection.user.id, connectionId: connection.id });
    }
    this.presence
      .touch(live)
      .catch((error: unknown) =>
        this.logger.warn(
          `presence refresh failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    this.closeEndedSessions().catch((error: unknown) =>
      this.logger.warn(
        `session check failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }

  private async closeEndedSessions(): Promise<void> {
    const connections = this.registry.all().filter((connection) => !connection.isClosing);
    const sessionKeys = [...new Set(connections.map((connection) => connection.sessionKey))];
    const found = await Promise.all(sessionKeys.map((key) => this.sessions.find(key)));
    const ended = new Set(sessionKeys.filter((_, index) => found[index] === null));
    for (const connection of connections) {
      if (ended.has(connection.sessionKey)) connection.close(4401, 'session ended');
    }
  }
}
