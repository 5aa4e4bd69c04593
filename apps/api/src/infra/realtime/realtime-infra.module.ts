import {
  type DynamicModule,
  Global,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { type AppConfig } from '../../config/app-config';
import { type RedisClient } from '../redis/redis-client';
import { RedisConnections } from '../redis/redis-connections';
import { REDIS_CLIENT } from '../redis/redis.module';
import { MemoryRealtimeBus } from './memory-realtime-bus';
import { RealtimeBus } from './realtime-bus';
import { RedisRealtimeBus } from './redis-realtime-bus';
import { ReplicaIdentity } from './replica-identity';

const redisBus: Provider = {
  provide: RealtimeBus,
  inject: [REDIS_CLIENT, RedisConnections],
  useFactory: async (redis: RedisClient, connections: RedisConnections) => {
    const bus = new RedisRealtimeBus(redis, connections);
    await bus.connect();
    return bus;
  },
};

const memoryBus: Provider = { provide: RealtimeBus, useFactory: () => new MemoryRealtimeBus() };

/** The bus between replicas, on the same engine switch as the repositories, and this replica's id. */
@Global()
@Module({})
export class RealtimeInfraModule implements OnApplicationShutdown {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RealtimeInfraModule,
      providers: [config.redis ? redisBus : memoryBus, ReplicaIdentity],
      exports: [RealtimeBus, ReplicaIdentity],
    };
  }

  constructor(private readonly bus: RealtimeBus) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.bus instanceof RedisRealtimeBus) await this.bus.close();
    if (this.bus instanceof MemoryRealtimeBus) this.bus.close();
  }
}
