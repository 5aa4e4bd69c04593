import { Inject, Injectable } from '@nestjs/common';
import {
  type PresenceConnection,
  PresenceRepository,
  TypingRepository,
} from '../../../modules/presence/presence.repository';
import { LuaScript } from '../../redis/lua-script';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// Expiry is judged by the Redis clock, so replicas with skewed clocks agree.
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

// Each script touches one user's presence key (its slot); the sweep's index of expiries
// (`chat:presence-expiries`) is changed after it, by a command or a script of its own.

// KEYS: presence(user)  ARGV: connectionId, ttlMs
// Returns {1 when the user had no live connection before this one, else 0; the new expiry}.
const TOUCH = new LuaScript(`${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local before = redis.call('ZCARD', KEYS[1])
local expiry = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if before == 0 then return {1, expiry} end
return {0, expiry}
`);

// KEYS: presence(user)  ARGV: connectionId, ttlMs, maxConnections
// Returns {-1 when the user is at the cap (nothing written), else as TOUCH; the new expiry}.
const RESERVE = new LuaScript(`${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local before = redis.call('ZCARD', KEYS[1])
if before >= tonumber(ARGV[3]) then return {-1, 0} end
local expiry = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if before == 0 then return {1, expiry} end
return {0, expiry}
`);

// KEYS: presence(user)  ARGV: connectionId
// Returns {1 when this call removed the user's last live connection, else 0; when none is left,
// a bound above every expiry the sweep's index may hold for them (a day on), else 0}. A socket
// that opens between this script and the index's update leaves the index until its next touch.
const REMOVE = new LuaScript(`${NOW_MS}
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) > 0 then return {0, 0} end
redis.call('DEL', KEYS[1])
return {removed, now + 86400000}
`);

// KEYS: presence(user)
// Returns {the latest live expiry, or 0 when every connection expired; now}.
const LATEST_EXPIRY = new LuaScript(`${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {tonumber(latest[2] or '0'), now}
`);

// Takes the user out of the sweep's index, unless a connection made since put a later expiry
// there. KEYS: expiries  ARGV: userId, bound
// Returns 1 to the one caller that took them out.
const FORGET_EXPIRY = new LuaScript(`
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`);

@Injectable()
export class RedisPresenceRepository extends PresenceRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async touch(connections: readonly PresenceConnection[], ttlMs: number): Promise<string[]> {
    const results = await Promise.all(
      connections.map(async ({ userId, connectionId }) => {
        const [cameOnline, expiry] = await TOUCH.run<[number, number]>(
          this.redis,
          [redisKeys.presence(userId)],
          [connectionId, ttlMs],
        );
        await this.noteExpiry(userId, expiry);
        return cameOnline === 1;
      }),
    );
    return [
      ...new Set(connections.filter((_, index) => results[index]).map(({ userId }) => userId)),
    ];
  }

  async reserve(
    { userId, connectionId }: PresenceConnection,
    ttlMs: number,
    maxConnections: number,
  ): Promise<{ reserved: boolean; cameOnline: boolean }> {
    const [result, expiry] = await RESERVE.run<[number, number]>(
      this.redis,
      [redisKeys.presence(userId)],
      [connectionId, ttlMs, maxConnections],
    );
    if (result >= 0) await this.noteExpiry(userId, expiry);
    return { reserved: result >= 0, cameOnline: result === 1 };
  }

  async remove({ userId, connectionId }: PresenceConnection): Promise<boolean> {
    const [removedLast, bound] = await REMOVE.run<[number, number]>(
      this.redis,
      [redisKeys.presence(userId)],
      [connectionId],
    );
    if (bound > 0) await this.forgetExpiry(userId, bound);
    return removedLast === 1;
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
    const wentOffline = await Promise.all(
      candidates.map(async (userId) => {
        const [latest, now] = await LATEST_EXPIRY.run<[number, number]>(
          this.redis,
          [redisKeys.presence(userId)],
          [],
        );
        if (latest > 0) {
          await this.redis.zadd(redisKeys.presenceExpiries(), latest, userId);
          return false;
        }
        return (await this.forgetExpiry(userId, now)) === 1;
      }),
    );
    return candidates.filter((_, index) => wentOffline[index]);
  }

  async onlineUserIds(userIds: readonly string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const now = Date.now();
    const counts = await Promise.all(
      userIds.map((userId) => this.redis.zcount(redisKeys.presence(userId), `(${now}`, '+inf')),
    );
    return new Set(userIds.filter((_, index) => counts[index]! > 0));
  }

  private async noteExpiry(userId: string, expiry: number): Promise<void> {
    await this.redis.zadd(redisKeys.presenceExpiries(), 'GT', expiry, userId);
  }

  private forgetExpiry(userId: string, bound: number): Promise<number> {
    return FORGET_EXPIRY.run<number>(this.redis, [redisKeys.presenceExpiries()], [userId, bound]);
  }
}

@Injectable()
export class RedisTypingRepository extends TypingRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
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
