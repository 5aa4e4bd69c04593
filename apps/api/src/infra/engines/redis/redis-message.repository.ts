import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Message } from '@chat/protocol';
import {
  type AppendResult,
  type CountQuery,
  type MessageDraft,
  MessageAnnouncer,
  MessageRepository,
} from '../../../modules/chat/message.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisChannels, redisKeys } from '../../redis/redis-keys';

// The log's length is the last seq, so the next seq, the idempotency record and the author
// index are written in one script: no gap, no duplicate, whatever replica sends it. The new
// message is published to its room's channel (KEYS[4]) in the same script, as the announcer's
// bytes around it, so the bus carries a conversation's messages in the order of their seqs.
// KEYS: log, idempotency, byAuthor, channel
// ARGV: idempotencyField, jsonWithoutSeq, head, middle, tail
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
return {1, json}
`;

// Unread from others for many (conversation, user) at once: log length − marker − own above it.
// KEYS: log1, byAuthor1, log2, byAuthor2, …  ARGV: marker1, marker2, …
const COUNT_FROM_OTHERS = `
local counts = {}
for i = 1, #ARGV do
  local after = tonumber(ARGV[i])
  local length = redis.call('LLEN', KEYS[2 * i - 1])
  local own = redis.call('ZCOUNT', KEYS[2 * i], '(' .. after, '+inf')
  counts[i] = math.max(0, length - after - own)
end
return counts
`;

const COUNT_CHUNK = 500;

@Injectable()
export class RedisMessageRepository extends MessageRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly announcer: MessageAnnouncer,
  ) {
    super();
  }

  async append(draft: MessageDraft, clientMessageId: string): Promise<AppendResult> {
    const { conversationId } = draft;
    const { room, head, middle, tail } = this.announcer.template(conversationId);
    const [created, json] = (await this.redis.eval(
      APPEND_MESSAGE,
      4,
      redisKeys.messageLog(conversationId),
      redisKeys.messageIdempotency(conversationId),
      redisKeys.messagesByAuthor(conversationId, draft.author.id),
      redisChannels.room(room),
      `${draft.author.id}:${clientMessageId}`,
      // The script prepends `{"seq":N,` to the serialized draft, which opens with `{`.
      JSON.stringify(draft).slice(1),
      head,
      middle,
      tail,
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
    const results = (await pipeline.exec()) ?? [];
    return new Map(
      conversationIds.map((id, index) => {
        const [error, length] = results[index] ?? [new Error('no reply'), 0];
        if (error) throw error;
        return [id, Number(length)] as const;
      }),
    );
  }

  async countFromOthers(conversationId: string, userId: string, afterSeq: number): Promise<number> {
    const [[lengthError, length], [ownError, own]] = ((await this.redis
      .pipeline()
      .llen(redisKeys.messageLog(conversationId))
      .zcount(redisKeys.messagesByAuthor(conversationId, userId), `(${afterSeq}`, '+inf')
      .exec()) ?? []) as [[Error | null, number], [Error | null, number]];
    if (lengthError) throw lengthError;
    if (ownError) throw ownError;
    return Math.max(0, length - afterSeq - own);
  }

  override async countsFromOthers(queries: readonly CountQuery[]): Promise<number[]> {
    // In chunks, so one script never holds Redis for long.
    const chunks: Array<Promise<number[]>> = [];
    for (let start = 0; start < queries.length; start += COUNT_CHUNK) {
      const chunk = queries.slice(start, start + COUNT_CHUNK);
      const keys = chunk.flatMap(({ conversationId, userId }) => [
        redisKeys.messageLog(conversationId),
        redisKeys.messagesByAuthor(conversationId, userId),
      ]);
      chunks.push(
        this.redis.eval(
          COUNT_FROM_OTHERS,
          keys.length,
          ...keys,
          ...chunk.map(({ afterSeq }) => afterSeq),
        ) as Promise<number[]>,
      );
    }
    return (await Promise.all(chunks)).flat();
  }
}
