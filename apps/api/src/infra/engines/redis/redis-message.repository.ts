import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Message } from '@chat/protocol';
import {
  type AppendResult,
  type MessageDraft,
  MessageRepository,
} from '../../../modules/chat/message.repository';
import { StoreAnnouncer } from '../../../modules/chat/store-announcer.port';
import { luaKey } from '../../redis/lua-keys';
import { pipelineReplies, REDIS_CLIENT } from '../../redis/redis.module';
import { redisChannels, redisKeys } from '../../redis/redis-keys';
import { ACTIVITY_HISTORY } from './inbox-lua';

// The log's length is the last seq, so the next seq, the idempotency record and the author
// index are written in one script: no gap, no duplicate, whatever replica sends it. In the same
// script the message is published to its room's channel (the bus carries a conversation's
// messages in seq order), the conversation takes the next activity in every inbox it is in,
// and every participant's unread count moves and is published to their own room (their counts
// reach them in the order they changed).
// KEYS: log, idempotency, byAuthor, channel, participants, conversation, activitySequence,
//       activityHistory, inboxAll
// ARGV: idempotencyField, jsonWithoutSeq, messageHead, messageMiddle, messageTail, authorId,
//       conversationId, unreadHead, unreadMiddle, unreadWithMessage, unreadTail, userChannelPrefix
const APPEND_MESSAGE = `
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  return {0, redis.call('LINDEX', KEYS[1], tonumber(existing) - 1)}
end
local seq = redis.call('LLEN', KEYS[1]) + 1
local json = '{"seq":' .. seq .. ',' .. ARGV[2]
redis.call('RPUSH', KEYS[1], json)
redis.call('HSET', KEYS[2], ARGV[1], seq)
redis.call('ZADD', KEYS[3], seq, seq)
redis.call('PUBLISH', KEYS[4], ARGV[3] .. seq .. ARGV[4] .. json .. ARGV[5])

local author, conversation = ARGV[6], ARGV[7]
local activity = redis.call('INCR', KEYS[7])
redis.call('LPUSH', KEYS[8], activity)
redis.call('LTRIM', KEYS[8], 0, ${ACTIVITY_HISTORY - 1})
redis.call('ZADD', KEYS[9], activity, conversation)
local record = redis.call('GET', KEYS[6])
if record then
  local country = cjson.decode(record).country
  redis.call('ZADD', ${luaKey(redisKeys.inboxCountry, 'country')}, activity, conversation)
end
for _, user in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
  local unread = ${luaKey(redisKeys.userUnread, 'user')}
  local total_key = ${luaKey(redisKeys.userUnreadTotal, 'user')}
  redis.call('ZADD', ${luaKey(redisKeys.userInbox, 'user')}, activity, conversation)
  local count, total
  if user == author then
    count = tonumber(redis.call('HGET', unread, conversation) or '0')
    total = tonumber(redis.call('GET', total_key) or '0')
  else
    count = redis.call('HINCRBY', unread, conversation, 1)
    total = redis.call('INCR', total_key)
    redis.call('ZADD', ${luaKey(redisKeys.userUnreadInbox, 'user')}, activity, conversation)
  end
  redis.call('PUBLISH', ARGV[12] .. user,
    ARGV[8] .. count .. ARGV[9] .. total .. ARGV[10] .. json .. ARGV[11])
end
return {1, json}
`;

@Injectable()
export class RedisMessageRepository extends MessageRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly announcer: StoreAnnouncer,
  ) {
    super();
  }

  async append(draft: MessageDraft, clientMessageId: string): Promise<AppendResult> {
    const { conversationId } = draft;
    const message = this.announcer.message(conversationId);
    const unread = this.announcer.unread(conversationId);
    const [created, json] = (await this.redis.eval(
      APPEND_MESSAGE,
      9,
      redisKeys.messageLog(conversationId),
      redisKeys.messageIdempotency(conversationId),
      redisKeys.messagesByAuthor(conversationId, draft.author.id),
      redisChannels.room(message.room),
      redisKeys.participants(conversationId),
      redisKeys.conversation(conversationId),
      redisKeys.activitySequence(),
      redisKeys.activityHistory(conversationId),
      redisKeys.inboxAll(),
      `${draft.author.id}:${clientMessageId}`,
      // The script prepends `{"seq":N,` to the serialized draft, which opens with `{`.
      JSON.stringify(draft).slice(1),
      message.head,
      message.middle,
      message.tail,
      draft.author.id,
      conversationId,
      unread.head,
      unread.middle,
      unread.withMessage,
      unread.tail,
      redisChannels.room(unread.userRoomPrefix),
    )) as [number, string];
    return { message: JSON.parse(json) as Message, created: created === 1 };
  }

  async range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]> {
    const from = Math.max(fromSeq, 1);
    if (toSeq < from) return [];
    const values = await this.redis.lrange(
      redisKeys.messageLog(conversationId),
      from - 1,
      toSeq - 1,
    );
    return values.map((json) => JSON.parse(json) as Message);
  }

  async lastSeq(conversationId: string): Promise<number> {
    return this.redis.llen(redisKeys.messageLog(conversationId));
  }

  async lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>> {
    if (!conversationIds.length) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of conversationIds) pipeline.llen(redisKeys.messageLog(id));
    const lengths = await pipelineReplies<number>(pipeline);
    return new Map(conversationIds.map((id, index) => [id, Number(lengths[index])] as const));
  }

  async lastMessages(conversationIds: readonly string[]): Promise<Map<string, Message>> {
    if (!conversationIds.length) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of conversationIds) pipeline.lindex(redisKeys.messageLog(id), -1);
    const replies = await pipelineReplies<string | null>(pipeline);
    const last = new Map<string, Message>();
    conversationIds.forEach((id, index) => {
      const json = replies[index];
      if (json) last.set(id, JSON.parse(json) as Message);
    });
    return last;
  }
}
