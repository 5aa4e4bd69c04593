import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { CloseCode } from '@chat/protocol';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { Readiness } from '../../health/readiness';
import { ConnectionRegistry } from '../connection-registry';
import { REALTIME_LIMITS } from '../realtime-limits';

/**
 * Graceful drain: readiness goes 503 and new upgrades are refused, sockets are closed with 1012
 * in batches (so clients do not all reconnect to the other replicas at once), and each socket's
 * queued work and cleanup finish before the deadline; stragglers are cut at the deadline.
 */
@Injectable()
export class RealtimeDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeDrain.name);
  private draining: Promise<void> | null = null;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly readiness: Readiness,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Drains once; later calls get the same promise. */
  drain(deadline: number): Promise<void> {
    this.draining ??= this.run(deadline);
    return this.draining;
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Closing without a signal (tests, or after `drain`): still no socket is cut without a close frame.
    await this.drain(Date.now() + Math.min(this.config.shutdownGraceMs, 2_000));
  }

  private async run(deadline: number): Promise<void> {
    this.readiness.startDraining();
    const connections = this.registry.all();
    const startedAt = Date.now();
    this.logger.log(`draining ${connections.length} sockets`);
    const { drainBatchSize, drainBatchPauseMs } = REALTIME_LIMITS;
    const batches = Math.ceil(connections.length / drainBatchSize);
    // Spread the batches over at most half of the time left, leaving the rest for close handshakes.
    const pause =
      batches > 1 ? Math.min(drainBatchPauseMs, (deadline - Date.now()) / 2 / (batches - 1)) : 0;
    for (let index = 0; index < connections.length; index += drainBatchSize) {
      if (index > 0 && pause > 0) await delay(pause);
      for (const connection of connections.slice(index, index + drainBatchSize)) {
        connection.close(
          CloseCode.serviceRestart,
          'service restart',
          Math.max(0, deadline - Date.now()),
        );
      }
    }
    if (!(await this.registry.whenEmpty(deadline - Date.now()))) {
      this.logger.warn(
        `${this.registry.size} sockets still open at the drain deadline; cutting them`,
      );
      for (const connection of this.registry.all()) connection.terminate();
    }
    this.logger.log(`drained in ${Date.now() - startedAt} ms`);
  }
}
