import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Result } from 'ioredis';
import {
  type PresenceConnection,
  PresenceRepository,
  TypingRepository,
} from '../../../modules/presence/presence.repository';
import { pipelineReplies, REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// Expiry is judged by the Redis clock, so replicas with skewed clocks agree.
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

// KEYS: presence(user), expiries  ARGV: connectionId, ttlMs, userId
// Returns 1 when the user had no live connection before this one.
const TOUCH = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local before = redis.call('ZCARD', KEYS[1])
local expiry = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'GT', expiry, ARGV[3])
if before == 0 then return 1 end
return 0
`;

// KEYS: presence(user), expiries  ARGV: connectionId, ttlMs, userId, maxConnections
// Returns -1 when the user is at the cap (nothing written), else as TOUCH.
const RESERVE = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local before = redis.call('ZCARD', KEYS[1])
if before >= tonumber(ARGV[4]) then return -1 end
local expiry = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'GT', expiry, ARGV[3])
if before == 0 then return 1 end
return 0
`;

// KEYS: presence(user), expiries  ARGV: connectionId, userId
// Returns 1 when this call removed the user's last live connection.
const REMOVE = `${NOW_MS}
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return removed
`;

// KEYS: presence(user), expiries  ARGV: userId
// Returns 1 to the one caller that found every connection of the user expired.
const SWEEP_USER = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if latest[2] then
  redis.call('ZADD', KEYS[2], latest[2], ARGV[1])
  return 0
end
return redis.call('ZREM', KEYS[2], ARGV[1])
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    presenceTouch(
      presence: string,
      expiries: string,
      connectionId: string,
      ttlMs: number,
      userId: string,
    ): Result<number, Context>;
    presenceReserve(
      presence: string,
      expiries: string,
      connectionId: string,
      ttlMs: number,
      userId: string,
      maxConnections: number,
    ): Result<number, Context>;
    presenceRemove(
      presence: string,
      expiries: string,
      connectionId: string,
      userId: string,
    ): Result<number, Context>;
    presenceSweepUser(presence: string, expiries: string, userId: string): Result<number, Context>;
  }
}

@Injectable()
export class RedisPresenceRepository extends PresenceRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
    redis.defineCommand('presenceTouch', { numberOfKeys: 2, lua: TOUCH });
    redis.defineCommand('presenceReserve', { numberOfKeys: 2, lua: RESERVE });
    redis.defineCommand('presenceRemove', { numberOfKeys: 2, lua: REMOVE });
    redis.defineCommand('presenceSweepUser', { numberOfKeys: 2, lua: SWEEP_USER });
  }

  async touch(connections: readonly PresenceConnection[], ttlMs: number): Promise<string[]> {
    const pipeline = this.redis.pipeline();
    for (const { userId, connectionId } of connections) {
      pipeline.presenceTouch(
        redisKeys.presence(userId),
        redisKeys.presenceExpiries(),
        connectionId,
        ttlMs,
        userId,
      );
    }
    const results = await pipelineReplies<number>(pipeline);
    const cameOnline = new Set<string>();
    results.forEach((result, index) => {
      if (result === 1) cameOnline.add(connections[index]!.userId);
    });
    return [...cameOnline];
  }

  async reserve(
    { userId, connectionId }: PresenceConnection,
    ttlMs: number,
    maxConnections: number,
  ): Promise<{ reserved: boolean; cameOnline: boolean }> {
    const result = await this.redis.presenceReserve(
      redisKeys.presence(userId),
      redisKeys.presenceExpiries(),
      connectionId,
      ttlMs,
      userId,
      maxConnections,
    );
    return { reserved: result >= 0, cameOnline: result === 1 };
  }

  async remove({ userId, connectionId }: PresenceConnection): Promise<boolean> {
    const removed = await this.redis.presenceRemove(
      redisKeys.presence(userId),
      redisKeys.presenceExpiries(),
      connectionId,
      userId,
    );
    return removed === 1;
  }

  async sweepExpired(limit: number): Promise<string[]> {
    const candidates = await this.redis.zrangebyscore(
      redisKeys.presenceExpiries(),
      '-inf',
      Date.now(),
      'LIMIT',
      0,
      limit,
    );
    if (!candidates.length) return [];
    const pipeline = this.redis.pipeline();
    for (const userId of candidates) {
      pipeline.presenceSweepUser(redisKeys.presence(userId), redisKeys.presenceExpiries(), userId);
    }
    const results = await pipelineReplies<number>(pipeline);
    return candidates.filter((_, index) => results[index] === 1);
  }

  async onlineUserIds(userIds: readonly string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const now = Date.now();
    const counts = await Promise.all(
      userIds.map((userId) => this.redis.zcount(redisKeys.presence(userId), `(${now}`, '+inf')),
    );
    return new Set(userIds.filter((_, index) => counts[index]! > 0));
  }
}

@Injectable()
export class RedisTypingRepository extends TypingRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async acquireRelay(conversationId: string, userId: string, intervalMs: number): Promise<boolean> {
    const reply = await this.redis.set(
      redisKeys.typingThrottle(conversationId, userId),
      '1',
      'PX',
      intervalMs,
      'NX',
    );
    return reply === 'OK';
  }
}
