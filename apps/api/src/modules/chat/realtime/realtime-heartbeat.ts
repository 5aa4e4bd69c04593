import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { PresenceService } from '../../presence/presence.service';
import { ConnectionRegistry } from './connection-registry';

/** Pongs a socket may miss before it is terminated. */
const MISSED_PONGS_LIMIT = 2;

/**
 * Every `WS_HEARTBEAT_MS`: terminates sockets that missed two pongs, pings the others, and
 * refreshes their presence, which therefore lapses when this replica stops (even by SIGKILL).
 */
@Injectable()
export class RealtimeHeartbeat implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeHeartbeat.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly presence: PresenceService,
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
  }
}
