import {
  type DynamicModule,
  Global,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { type AppConfig } from '../../config/app-config';
import { MetricsService } from '../../modules/metrics/metrics.service';
import { REDIS_CLIENT } from '../redis/redis.module';
import { MemoryRealtimeBus } from './memory-realtime-bus';
import { RealtimeBus } from './realtime-bus';
import { RedisRealtimeBus } from './redis-realtime-bus';
import { RoomHub } from './room-hub';

const redisBus: Provider = {
  provide: RealtimeBus,
  inject: [REDIS_CLIENT, MetricsService],
  useFactory: async (redis: Redis, metrics: MetricsService) => {
    const bus = new RedisRealtimeBus(redis);
    metrics.watchRedis(bus.subscriberConnection, 'subscriber');
    await bus.connect();
    return bus;
  },
};

const memoryBus: Provider = { provide: RealtimeBus, useFactory: () => new MemoryRealtimeBus() };

/** Rooms and the bus between replicas, on the same engine switch as the repositories. */
@Global()
@Module({})
export class RealtimeInfraModule implements OnApplicationShutdown {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RealtimeInfraModule,
      providers: [config.redis ? redisBus : memoryBus, RoomHub],
      exports: [RealtimeBus, RoomHub],
    };
  }

  constructor(private readonly bus: RealtimeBus) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.bus instanceof RedisRealtimeBus) await this.bus.close();
    if (this.bus instanceof MemoryRealtimeBus) this.bus.close();
  }
}
