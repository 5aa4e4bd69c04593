import { Inject, Injectable } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { EngineHealth } from '../../../modules/health/engine-health';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';

@Injectable()
export class RedisEngineHealth extends EngineHealth {
  readonly engine = 'redis' as const;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  /** Every master answers (on a Cluster a request may need any of them). */
  async isReachable(timeoutMs: number): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    if (!nodes.length) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      const pings = Promise.all(nodes.map((node) => node.ping())).then((replies) =>
        replies.every((reply) => reply === 'PONG'),
      );
      return await Promise.race([pings, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
