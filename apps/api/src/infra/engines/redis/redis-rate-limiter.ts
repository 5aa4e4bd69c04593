import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { UnavailableError } from '../../../common/domain-errors';
import { type RateLimit, RateLimiter } from '../../../common/rate-limiter';
import { redisKeys } from '../../redis/redis-keys';
import { REDIS_CLIENT } from '../../redis/redis.module';

/** One counter per key and window in Redis (an INCR with a TTL in a script): every replica shares it. */
@Injectable()
export class RedisRateLimiter extends RateLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async take(name: string, limit: RateLimit, key: string): Promise<boolean> {
    if (limit.points <= 0) return true;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: redisKeys.rateLimit(name),
        points: limit.points,
        duration: limit.windowSeconds,
        // Fail at once while disconnected, like every other command (no offline queue).
        rejectIfRedisNotReady: true,
        // Once a key has used its points, refuse it from memory until its window ends: a flood
        // costs Redis nothing more than the window's first points.
        inMemoryBlockOnConsumed: limit.points,
      });
      this.limiters.set(name, limiter);
    }
    return limiter.consume(key).then(
      () => true,
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return false;
        throw new UnavailableError();
      },
    );
  }
}
