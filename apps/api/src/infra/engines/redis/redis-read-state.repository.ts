import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { type ReadResult, ReadStateRepository } from '../../../modules/chat/read-state.repository';
import { StoreAnnouncer } from '../../../modules/chat/store-announcer.port';
import { luaKey } from '../../redis/lua-keys';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisChannels, redisKeys } from '../../redis/redis-keys';
import { INBOX_LUA } from './inbox-lua';

// Read markers only move forward (even when two tabs report out of order) and never past the
// last message. The reader's count becomes what others wrote above the marker; a participant
// hears of a change on their own room.
// KEYS: markers, log, userInbox, channel  ARGV: conversationId, seq, userId, unread template…
const ADVANCE_MARKER = `${INBOX_LUA}
local conversation, user = ARGV[1], ARGV[3]
local current = tonumber(redis.call('HGET', KEYS[1], conversation) or '0')
local target = math.min(tonumber(ARGV[2]), redis.call('LLEN', KEYS[2]))
local marker = current
if target > current then
  redis.call('HSET', KEYS[1], conversation, target)
  marker = target
end
local count = derived_unread(conversation, user)
if not redis.call('ZSCORE', KEYS[3], conversation) then return {marker, count, -1} end
local previous = tonumber(redis.call('HGET', ${luaKey(redisKeys.userUnread, 'user')}, conversation) or '0')
local total = set_unread(conversation, user, count)
if marker ~= current or count ~= previous then
  redis.call('PUBLISH', KEYS[4], ARGV[4] .. count .. ARGV[5] .. total .. ARGV[6])
end
return {marker, count, total}
`;

@Injectable()
export class RedisReadStateRepository extends ReadStateRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly announcer: StoreAnnouncer,
  ) {
    super();
  }

  async advance(userId: string, conversationId: string, seq: number): Promise<ReadResult> {
    const unread = this.announcer.unread(conversationId);
    const [marker, count, total] = (await this.redis.eval(
      ADVANCE_MARKER,
      4,
      redisKeys.readMarkers(userId),
      redisKeys.messageLog(conversationId),
      redisKeys.userInbox(userId),
      redisChannels.room(unread.userRoomPrefix + userId),
      conversationId,
      seq,
      userId,
      unread.head,
      unread.middle,
      unread.tail,
    )) as [number, number, number];
    return { marker, count, total: total < 0 ? await this.total(userId) : total };
  }

  async get(userId: string, conversationId: string): Promise<number> {
    return Number((await this.redis.hget(redisKeys.readMarkers(userId), conversationId)) ?? 0);
  }

  private async total(userId: string): Promise<number> {
    return Number((await this.redis.get(redisKeys.userUnreadTotal(userId))) ?? 0);
  }
}
