import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { type UserRecord, UserRepository } from '../../../modules/users/user.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// Replaces the user and its unique email/handle indexes in one step, or reports the clash.
// KEYS: user, emailIndex, handleIndex  ARGV: id, json, keyOfOldEmail?, keyOfOldHandle? (computed here)
const UPSERT_USER = `
local emailOwner = redis.call('GET', KEYS[2])
if emailOwner and emailOwner ~= ARGV[1] then return 'email' end
local handleOwner = redis.call('GET', KEYS[3])
if handleOwner and handleOwner ~= ARGV[1] then return 'handle' end
local previous = redis.call('GET', KEYS[1])
if previous then
  local old = cjson.decode(previous)
  if ARGV[3] .. old.email ~= KEYS[2] then redis.call('DEL', ARGV[3] .. old.email) end
  if ARGV[4] .. old.handle ~= KEYS[3] then redis.call('DEL', ARGV[4] .. old.handle) end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[1])
return 'ok'
`;

// KEYS: user  ARGV: expected hash, new hash
const REPLACE_PASSWORD_HASH = `
local json = redis.call('GET', KEYS[1])
if not json then return 0 end
local user = cjson.decode(json)
if user.passwordHash ~= ARGV[1] then return 0 end
user.passwordHash = ARGV[2]
redis.call('SET', KEYS[1], cjson.encode(user))
return 1
`;

@Injectable()
export class RedisUserRepository extends UserRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async findById(id: string): Promise<UserRecord | null> {
    const json = await this.redis.get(redisKeys.user(id));
    return json ? (JSON.parse(json) as UserRecord) : null;
  }

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    if (!ids.length) return [];
    const values = await this.redis.mget(ids.map((id) => redisKeys.user(id)));
    return values.flatMap((json) => (json ? [JSON.parse(json) as UserRecord] : []));
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const id = await this.redis.get(redisKeys.userIdByEmail(email));
    return id ? this.findById(id) : null;
  }

  async findByHandle(handle: string): Promise<UserRecord | null> {
    const id = await this.redis.get(redisKeys.userIdByHandle(handle));
    return id ? this.findById(id) : null;
  }

  async upsert(user: UserRecord): Promise<{ conflict: 'email' | 'handle' | null }> {
    const result = (await this.redis.eval(
      UPSERT_USER,
      3,
      redisKeys.user(user.id),
      redisKeys.userIdByEmail(user.email),
      redisKeys.userIdByHandle(user.handle),
      user.id,
      JSON.stringify(user),
      redisKeys.userIdByEmail(''),
      redisKeys.userIdByHandle(''),
    )) as string;
    return { conflict: result === 'ok' ? null : (result as 'email' | 'handle') };
  }

  async replacePasswordHash(id: string, expected: string, next: string): Promise<boolean> {
    const replaced = await this.redis.eval(
      REPLACE_PASSWORD_HASH,
      1,
      redisKeys.user(id),
      expected,
      next,
    );
    return replaced === 1;
  }
}
