import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  type ConversationRecord,
  ConversationRepository,
} from '../../../modules/chat/conversation.repository';
import { luaKey } from '../../redis/lua-keys';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';
import { ACTIVITY_HISTORY, INBOX_LUA } from './inbox-lua';

// Takes a conversation's search tokens out of the indexes and puts `ARGV[first..]` in.
const SET_TOKENS_LUA = `
local function set_tokens(id, country, old_country, first)
  local tokens_key = ${luaKey(redisKeys.conversationTokens, 'id')}
  for _, token in ipairs(redis.call('SMEMBERS', tokens_key)) do
    local member = token .. ' ' .. id
    redis.call('ZREM', '${redisKeys.searchAll()}', member)
    redis.call('ZREM', ${luaKey(redisKeys.searchCountry, 'country')}, member)
    if old_country then redis.call('ZREM', ${luaKey(redisKeys.searchCountry, 'old_country')}, member) end
  end
  redis.call('DEL', tokens_key)
  for i = first, #ARGV do
    local member = ARGV[i] .. ' ' .. id
    redis.call('ZADD', '${redisKeys.searchAll()}', 0, member)
    redis.call('ZADD', ${luaKey(redisKeys.searchCountry, 'country')}, 0, member)
    redis.call('SADD', tokens_key, ARGV[i])
  end
end
`;

// Saves the record (keeping the first createdAt). A conversation not in the inbox indexes yet
// takes the next activity; one that changed country moves between the country indexes.
// KEYS: conversation, inboxAll, activitySequence, activityHistory  ARGV: id, json, tokens…
const SAVE_CONVERSATION = `${SET_TOKENS_LUA}
local id = ARGV[1]
local record = cjson.decode(ARGV[2])
local previous = redis.call('GET', KEYS[1])
local old_country = nil
if previous then
  local old = cjson.decode(previous)
  record.createdAt = old.createdAt
  if old.country ~= record.country then old_country = old.country end
end
redis.call('SET', KEYS[1], cjson.encode(record))
local activity = redis.call('ZSCORE', KEYS[2], id)
if not activity then
  activity = redis.call('INCR', KEYS[3])
  redis.call('LPUSH', KEYS[4], activity)
  redis.call('LTRIM', KEYS[4], 0, ${ACTIVITY_HISTORY - 1})
  redis.call('ZADD', KEYS[2], activity, id)
end
local country = record.country
if old_country then redis.call('ZREM', ${luaKey(redisKeys.inboxCountry, 'old_country')}, id) end
redis.call('ZADD', ${luaKey(redisKeys.inboxCountry, 'country')}, activity, id)
set_tokens(id, country, old_country, 3)
return 1
`;

// KEYS: conversation  ARGV: id, tokens…
const SET_SEARCH_TOKENS = `${SET_TOKENS_LUA}
local record = redis.call('GET', KEYS[1])
if not record then return 0 end
set_tokens(ARGV[1], cjson.decode(record).country, nil, 2)
return 1
`;

// Participants are scored by join order, so the list reads creator, manager, then joiners.
// Whether new or not, the participant's inbox entry and unread count are made right.
// KEYS: participants, userConversations, userInbox, inboxAll  ARGV: userId, conversationId
const ADD_PARTICIPANT = `${INBOX_LUA}
local user, conversation = ARGV[1], ARGV[2]
local added = 0
if not redis.call('ZSCORE', KEYS[1], user) then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('ZADD', KEYS[1], (tonumber(last[2]) or 0) + 1, user)
  added = 1
end
redis.call('SADD', KEYS[2], conversation)
local activity = redis.call('ZSCORE', KEYS[4], conversation)
if activity then redis.call('ZADD', KEYS[3], activity, conversation) end
set_unread(conversation, user, derived_unread(conversation, user))
return added
`;

// KEYS: participants, userConversations, userInbox  ARGV: userId, conversationId
const REMOVE_PARTICIPANT = `${INBOX_LUA}
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
set_unread(ARGV[2], ARGV[1], 0)
return removed
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

  async save(conversation: ConversationRecord, searchTokens: readonly string[]): Promise<void> {
    await this.redis.eval(
      SAVE_CONVERSATION,
      4,
      redisKeys.conversation(conversation.id),
      redisKeys.inboxAll(),
      redisKeys.activitySequence(),
      redisKeys.activityHistory(conversation.id),
      conversation.id,
      JSON.stringify(conversation),
      ...searchTokens,
    );
  }

  async setSearchTokens(conversationId: string, searchTokens: readonly string[]): Promise<void> {
    await this.redis.eval(
      SET_SEARCH_TOKENS,
      1,
      redisKeys.conversation(conversationId),
      conversationId,
      ...searchTokens,
    );
  }

  async addParticipant(conversationId: string, userId: string): Promise<boolean> {
    const added = await this.redis.eval(
      ADD_PARTICIPANT,
      4,
      redisKeys.participants(conversationId),
      redisKeys.userConversations(userId),
      redisKeys.userInbox(userId),
      redisKeys.inboxAll(),
      userId,
      conversationId,
    );
    return added === 1;
  }

  async removeParticipant(conversationId: string, userId: string): Promise<boolean> {
    const removed = await this.redis.eval(
      REMOVE_PARTICIPANT,
      3,
      redisKeys.participants(conversationId),
      redisKeys.userConversations(userId),
      redisKeys.userInbox(userId),
      userId,
      conversationId,
    );
    return removed === 1;
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
