import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { ReadStateRepository } from '../../../modules/chat/read-state.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// Read markers only move forward, even when two tabs report out of order.
const ADVANCE_MARKER = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local target = tonumber(ARGV[2])
if target > current then
  redis.call('HSET', KEYS[1], ARGV[1], target)
  return target
end
return current
`;

@Injectable()
export class RedisReadStateRepository extends ReadStateRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async advance(userId: string, conversationId: string, seq: number): Promise<number> {
    return (await this.redis.eval(
      ADVANCE_MARKER,
      1,
      redisKeys.readMarkers(userId),
      conversationId,
      seq,
    )) as number;
  }

  async get(userId: string, conversationId: string): Promise<number> {
    return Number((await this.redis.hget(redisKeys.readMarkers(userId), conversationId)) ?? 0);
  }

  async getMany(userId: string, conversationIds: readonly string[]): Promise<Map<string, number>> {
    if (!conversationIds.length) return new Map();
    const values = await this.redis.hmget(redisKeys.readMarkers(userId), ...conversationIds);
    return new Map(conversationIds.map((id, index) => [id, Number(values[index] ?? 0)] as const));
  }
}
