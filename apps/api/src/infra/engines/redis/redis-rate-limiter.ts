import { Inject, Injectable } from '@nestjs/common';
import { type RedisClient } from '../../redis/redis-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { UnavailableError } from '../../../common/domain-errors';
import { type RateLimit, RateLimiter } from '../../../common/rate-limiter';
import { redisKeys } from '../../redis/redis-keys';
import { REDIS_CLIENT } from '../../redis/redis.module';

// rate-limiter-flexible's own counter script, told not to journal its writes: a counter is
// worth nothing after a restart, and with `appendfsync always` a journaled write would make
// Redis flush the disk before answering it, once for every message sent.
// KEYS: counter  ARGV: points, windowSeconds
const COUNT_UNJOURNALED = `
redis.set_repl(redis.REPL_NONE)
redis.call('SET', KEYS[1], 0, 'EX', ARGV[2], 'NX')
local consumed = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  ttl = 1000 * ARGV[2]
end
return {consumed, ttl}
`;

/**
 * One counter per key and window in Redis (an INCR with a TTL in a script): every replica
 * shares it. Counters live in memory only; a Redis restart starts every window afresh.
 */
@Injectable()
export class RedisRateLimiter extends RateLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async take(name: string, limit: RateLimit, key: string, points = 1): Promise<boolean> {
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
        customIncrTtlLuaScript: COUNT_UNJOURNALED,
      });
      this.limiters.set(name, limiter);
    }
    return limiter.consume(key, points).then(
      () => true,
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return false;
        throw new UnavailableError();
      },
    );
  }
}
