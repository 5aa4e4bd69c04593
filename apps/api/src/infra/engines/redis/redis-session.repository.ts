import { Inject, Injectable } from '@nestjs/common';
import { LuaScript } from '../../redis/lua-script';
import { type RedisClient } from '../../redis/redis-client';
import { type SessionRecord, SessionRepository } from '../../../modules/auth/session.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// A session's key stands alone (it is found by its key only); the user's index of sessions is
// in the user's slot. Each step is a command or script of its own slot (decision 0019): the
// index first, so that a session is never alive without being in it.

// The session's place in the user's index (scored by the end of its absolute lifetime). Entries
// past that end are dropped, and the index itself expires with its last session.
// KEYS: userSessions  ARGV: sessionKey, expiresAtMs, nowMs
const INDEX = new LuaScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
`);

@Injectable()
export class RedisSessionRepository extends SessionRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async create(key: string, session: SessionRecord, ttlSeconds: number): Promise<void> {
    await INDEX.run(
      this.redis,
      [redisKeys.userSessions(session.userId)],
      [key, Date.parse(session.expiresAt), Date.now()],
    );
    await this.redis.set(redisKeys.session(key), JSON.stringify(session), 'EX', ttlSeconds);
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
    const deleted = await this.redis.del(redisKeys.session(key));
    await this.redis.zrem(redisKeys.userSessions(userId), key);
    return deleted > 0;
  }

  /** Ends the sessions the user's index holds; a login at the same moment may outlive it. */
  async revokeAllOf(userId: string): Promise<string[]> {
    const index = redisKeys.userSessions(userId);
    const keys = await this.redis.zrange(index, 0, -1);
    if (!keys.length) return [];
    const deleted = await Promise.all(keys.map((key) => this.redis.del(redisKeys.session(key))));
    await this.redis.zrem(index, ...keys);
    return keys.filter((_, at) => deleted[at] === 1);
  }
}
