import { Inject, Injectable } from '@nestjs/common';
import {
  type InboxEntry,
  type InboxIndex,
  InboxRepository,
  type SearchScope,
} from '../../../modules/chat/inbox.repository';
import { pipelineReplies, type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';
import { ACTIVITY_HISTORY } from './inbox-lua';

/**
 * The layout this code writes (3: hash tags, decision 0019); an older Redis is migrated
 * (RedisLayoutMigration) and indexed once (ConversationIndexer).
 */
export const LAYOUT_VERSION = 3;
/** Above every UTF-8 byte: the end of a prefix range in a lexicographic sorted set. */
const LEX_END = Buffer.from([0xff]);

function keyOf(index: InboxIndex): string {
  switch (index.kind) {
    case 'user':
      return redisKeys.userInbox(index.userId);
    case 'unread':
      return redisKeys.userUnreadInbox(index.userId);
    case 'country':
      return redisKeys.inboxCountry(index.country);
    case 'all':
      return redisKeys.inboxAll();
  }
}

function entries(reply: string[]): InboxEntry[] {
  const result: InboxEntry[] = [];
  for (let at = 0; at < reply.length; at += 2) {
    result.push({ conversationId: reply[at]!, activity: Number(reply[at + 1]) });
  }
  return result;
}

@Injectable()
export class RedisInboxRepository extends InboxRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async latestActivity(): Promise<number> {
    return Number((await this.redis.get(redisKeys.activitySequence())) ?? 0);
  }

  async before(index: InboxIndex, below: number, limit: number): Promise<InboxEntry[]> {
    const max = Number.isFinite(below) ? `(${below}` : '+inf';
    return entries(
      await this.redis.zrange(
        keyOf(index),
        max,
        '-inf',
        'BYSCORE',
        'REV',
        'LIMIT',
        0,
        limit,
        'WITHSCORES',
      ),
    );
  }

  async after(index: InboxIndex, above: number, limit: number): Promise<InboxEntry[]> {
    return entries(
      await this.redis.zrange(
        keyOf(index),
        '+inf',
        `(${above}`,
        'BYSCORE',
        'REV',
        'LIMIT',
        0,
        limit,
        'WITHSCORES',
      ),
    );
  }

  async activityIn(
    index: InboxIndex,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>> {
    if (!conversationIds.length) return new Map();
    const scores = await this.redis.zmscore(keyOf(index), ...conversationIds);
    const result = new Map<string, number>();
    conversationIds.forEach((id, at) => {
      const score = scores[at];
      if (score !== null && score !== undefined) result.set(id, Number(score));
    });
    return result;
  }

  async activityAt(
    conversationIds: readonly string[],
    activity: number,
  ): Promise<Map<string, number | null>> {
    if (!conversationIds.length) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of conversationIds) pipeline.lrange(redisKeys.activityHistory(id), 0, -1);
    const histories = await pipelineReplies<string[]>(pipeline);
    const result = new Map<string, number | null>();
    conversationIds.forEach((id, at) => {
      const numbers = histories[at]!.map(Number);
      const then = numbers.find((value) => value <= activity);
      if (then !== undefined) result.set(id, then);
      // A complete history that starts after the snapshot: the conversation did not exist yet.
      else if (numbers.length < ACTIVITY_HISTORY) result.set(id, null);
    });
    return result;
  }

  async search(scope: SearchScope, prefix: string, limit: number): Promise<string[]> {
    const key =
      scope.country === undefined ? redisKeys.searchAll() : redisKeys.searchCountry(scope.country);
    const members = await this.redis.zrangeBuffer(
      key,
      Buffer.concat([Buffer.from('['), Buffer.from(prefix)]),
      Buffer.concat([Buffer.from('('), Buffer.from(prefix), LEX_END]),
      'BYLEX',
      'LIMIT',
      0,
      limit,
    );
    return [
      ...new Set(
        members.map((member) => {
          const text = member.toString();
          return text.slice(text.lastIndexOf(' ') + 1);
        }),
      ),
    ];
  }

  async tokens(conversationIds: readonly string[]): Promise<Map<string, string[]>> {
    if (!conversationIds.length) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of conversationIds) pipeline.smembers(redisKeys.conversationTokens(id));
    const tokens = await pipelineReplies<string[]>(pipeline);
    return new Map(conversationIds.map((id, at) => [id, tokens[at]!] as const));
  }

  async unreadCounts(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>> {
    if (!conversationIds.length) return new Map();
    const counts = await this.redis.hmget(redisKeys.userUnread(userId), ...conversationIds);
    return new Map(conversationIds.map((id, at) => [id, Number(counts[at] ?? 0)] as const));
  }

  async unread(
    userId: string,
    limit: number,
  ): Promise<{ total: number; conversations: Map<string, number>; more: boolean }> {
    const [total, recent, unreadThreads] = (await pipelineReplies<unknown>(
      this.redis
        .pipeline()
        .get(redisKeys.userUnreadTotal(userId))
        .zrange(redisKeys.userUnreadInbox(userId), 0, limit - 1, 'REV')
        .zcard(redisKeys.userUnreadInbox(userId)),
    )) as [string | null, string[], number];
    const counts = recent.length
      ? await this.redis.hmget(redisKeys.userUnread(userId), ...recent)
      : [];
    return {
      total: Number(total ?? 0),
      conversations: new Map(recent.map((id, at) => [id, Number(counts[at] ?? 0)] as const)),
      more: unreadThreads > recent.length,
    };
  }

  async unreadTotal(userId: string): Promise<number> {
    return Number((await this.redis.get(redisKeys.userUnreadTotal(userId))) ?? 0);
  }

  async isIndexed(): Promise<boolean> {
    const version = await this.redis.hget(redisKeys.layout(), 'version');
    return Number(version ?? 0) >= LAYOUT_VERSION;
  }

  async markIndexed(): Promise<void> {
    await this.redis.hset(redisKeys.layout(), 'version', LAYOUT_VERSION);
  }

  async allConversationIds(): Promise<string[]> {
    const [legacy, indexed] = await Promise.all([
      this.redis.smembers(redisKeys.legacyConversations()),
      this.redis.zrange(redisKeys.inboxAll(), 0, -1),
    ]);
    return [...new Set([...legacy, ...indexed])];
  }
}
