import { Inject, Injectable } from '@nestjs/common';
import { type RedisClient } from '../../redis/redis-client';
import { LuaScript } from '../../redis/lua-script';
import { type UserRecord, UserRepository } from '../../../modules/users/user.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// Claims the email and handle for the user in the directory (one slot), releasing those it held
// before, or reports the clash. The record itself is written after, on the user's slot: a retry
// of an interrupted upsert claims the same again and writes the record.
// KEYS: emailIndex, handleIndex, claims  ARGV: id, email, handle, emailKeyPrefix, handleKeyPrefix
const CLAIM_IDENTITY = new LuaScript(`
local emailOwner = redis.call('GET', KEYS[1])
if emailOwner and emailOwner ~= ARGV[1] then return 'email' end
local handleOwner = redis.call('GET', KEYS[2])
if handleOwner and handleOwner ~= ARGV[1] then return 'handle' end
local previous = redis.call('HGET', KEYS[3], ARGV[1])
if previous then
  local old = cjson.decode(previous)
  if old.email ~= ARGV[2] then redis.call('DEL', ARGV[4] .. old.email) end
  if old.handle ~= ARGV[3] then redis.call('DEL', ARGV[5] .. old.handle) end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({email = ARGV[2], handle = ARGV[3]}))
return 'ok'
`);

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
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async findById(id: string): Promise<UserRecord | null> {
    const json = await this.redis.get(redisKeys.user(id));
    return json ? (JSON.parse(json) as UserRecord) : null;
  }

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    const records = await Promise.all(ids.map((id) => this.findById(id)));
    return records.filter((record) => record !== null);
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
    const result = await CLAIM_IDENTITY.run<string>(
      this.redis,
      [
        redisKeys.userIdByEmail(user.email),
        redisKeys.userIdByHandle(user.handle),
        redisKeys.directoryClaims(),
      ],
      [user.id, user.email, user.handle, redisKeys.userIdByEmail(''), redisKeys.userIdByHandle('')],
    );
    if (result !== 'ok') return { conflict: result as 'email' | 'handle' };
    await this.redis.set(redisKeys.user(user.id), JSON.stringify(user));
    return { conflict: null };
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
