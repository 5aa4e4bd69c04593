import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { type RateLimit, RateLimiter } from '../../../common/rate-limiter';

@Injectable()
export class MemoryRateLimiter extends RateLimiter {
  private readonly limiters = new Map<string, RateLimiterMemory>();

  async take(name: string, limit: RateLimit, key: string, points = 1): Promise<boolean> {
    if (limit.points <= 0) return true;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterMemory({
        keyPrefix: name,
        points: limit.points,
        duration: limit.windowSeconds,
      });
      this.limiters.set(name, limiter);
    }
    return limiter.consume(key, points).then(
      () => true,
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return false;
        throw rejection;
      },
    );
  }
}
