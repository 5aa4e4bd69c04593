import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { EngineHealth } from '../../../modules/health/engine-health';
import { REDIS_CLIENT } from '../../redis/redis.module';

@Injectable()
export class RedisEngineHealth extends EngineHealth {
  readonly engine = 'redis' as const;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async isReachable(timeoutMs: number): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.redis.ping().then((reply) => reply === 'PONG'), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
