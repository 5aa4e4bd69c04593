import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { type SessionRecord, SessionRepository } from '../../../modules/auth/session.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

@Injectable()
export class RedisSessionRepository extends SessionRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async create(key: string, session: SessionRecord, ttlSeconds: number): Promise<void> {
    await this.redis.set(redisKeys.session(key), JSON.stringify(session), 'EX', ttlSeconds);
  }

  async find(key: string): Promise<SessionRecord | null> {
    const json = await this.redis.get(redisKeys.session(key));
    return json ? (JSON.parse(json) as SessionRecord) : null;
  }

  async revoke(key: string): Promise<boolean> {
    return (await this.redis.del(redisKeys.session(key))) > 0;
  }
}
