import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  type ConversationRecord,
  ConversationRepository,
} from '../../../modules/chat/conversation.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// Saves the record and moves it between country indexes; keeps the first createdAt.
// KEYS: conversation, allIndex, newCountryIndex  ARGV: id, json, countryIndexPrefix
const SAVE_CONVERSATION = `
local previous = redis.call('GET', KEYS[1])
local record = cjson.decode(ARGV[2])
if previous then
  local old = cjson.decode(previous)
  record.createdAt = old.createdAt
  if ARGV[3] .. old.country ~= KEYS[3] then redis.call('SREM', ARGV[3] .. old.country, ARGV[1]) end
end
redis.call('SET', KEYS[1], cjson.encode(record))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

// Participants are scored by join order, so the list reads creator, manager, then joiners.
// KEYS: participants, userConversations  ARGV: userId, conversationId
const ADD_PARTICIPANT = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], redis.call('ZCARD', KEYS[1]) + 1, ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1
`;

@Injectable()
export class RedisConversationRepository extends ConversationRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    super();
  }

  async findById(id: string): Promise<ConversationRecord | null> {
    const json = await this.redis.get(redisKeys.conversation(id));
    return json ? (JSON.parse(json) as ConversationRecord) : null;
  }

  async findByIds(ids: readonly string[]): Promise<ConversationRecord[]> {
    if (!ids.length) return [];
    const values = await this.redis.mget(ids.map((id) => redisKeys.conversation(id)));
    return values.flatMap((json) => (json ? [JSON.parse(json) as ConversationRecord] : []));
  }

  async save(conversation: ConversationRecord): Promise<void> {
    await this.redis.eval(
      SAVE_CONVERSATION,
      3,
      redisKeys.conversation(conversation.id),
      redisKeys.conversationsAll(),
      redisKeys.conversationsByCountry(conversation.country),
      conversation.id,
      JSON.stringify(conversation),
      redisKeys.conversationsByCountry(''),
    );
  }

  async listIds(filter: { country?: string }): Promise<string[]> {
    const key = filter.country
      ? redisKeys.conversationsByCountry(filter.country)
      : redisKeys.conversationsAll();
    return this.redis.smembers(key);
  }

  async addParticipant(conversationId: string, userId: string): Promise<boolean> {
    const added = await this.redis.eval(
      ADD_PARTICIPANT,
      2,
      redisKeys.participants(conversationId),
      redisKeys.userConversations(userId),
      userId,
      conversationId,
    );
    return added === 1;
  }

  async isParticipant(conversationId: string, userId: string): Promise<boolean> {
    return (await this.redis.zscore(redisKeys.participants(conversationId), userId)) !== null;
  }

  async listParticipants(conversationId: string): Promise<string[]> {
    return this.redis.zrange(redisKeys.participants(conversationId), 0, -1);
  }

  async listForUser(userId: string): Promise<string[]> {
    return this.redis.smembers(redisKeys.userConversations(userId));
  }
}
