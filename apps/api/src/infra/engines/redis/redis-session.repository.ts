import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { type SessionRecord, SessionRepository } from '../../../modules/auth/session.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// The session, and its place in the user's index (scored by the end of its absolute lifetime).
// Index entries past that end are dropped, and the index itself expires with its last session.
// KEYS: session, userSessions  ARGV: json, ttlSeconds, sessionKey, expiresAtMs, nowMs
const CREATE = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], last[2])
`;

// KEYS: userSessions  ARGV: sessionKeyPrefix. Returns the session keys that were still there.
const REVOKE_ALL = `
local ended = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('DEL', ARGV[1] .. member) == 1 then table.insert(ended, member) end
end
redis.call('DEL', KEYS[1])
return ended
`;

@Injectable()
export class RedisSessionRepository extends SessionRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async create(key: string, session: SessionRecord, ttlSeconds: number): Promise<void> {
    await this.redis.eval(
      CREATE,
      2,
      redisKeys.session(key),
      redisKeys.userSessions(session.userId),
      JSON.stringify(session),
      ttlSeconds,
      key,
      Date.parse(session.expiresAt),
      Date.now(),
    );
  }

  async find(key: string): Promise<SessionRecord | null> {
    const json = await this.redis.get(redisKeys.session(key));
    return json ? (JSON.parse(json) as SessionRecord) : null;
  }

  async touch(key: string, session: SessionRecord, ttlSeconds: number): Promise<void> {
    // XX: a session revoked meanwhile stays revoked.
    await this.redis.set(redisKeys.session(key), JSON.stringify(session), 'EX', ttlSeconds, 'XX');
  }

  async revoke(key: string, userId: string): Promise<boolean> {
    const [[, deleted]] = (await this.redis
      .multi()
      .del(redisKeys.session(key))
      .zrem(redisKeys.userSessions(userId), key)
      .exec()) as [[null, number], [null, number]];
    return deleted > 0;
  }

  async revokeAllOf(userId: string): Promise<string[]> {
    return (await this.redis.eval(
      REVOKE_ALL,
      1,
      redisKeys.userSessions(userId),
      redisKeys.session(''),
    )) as string[];
  }
}
