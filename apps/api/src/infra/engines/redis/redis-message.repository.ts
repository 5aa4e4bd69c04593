import { Inject, Injectable } from '@nestjs/common';
import { type Message } from '@chat/protocol';
import {
  type AppendResult,
  type MessageDraft,
  MessageRepository,
} from '../../../modules/chat/message.repository';
import { StoreAnnouncer } from '../../../modules/chat/store-announcer.port';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisChannels, redisKeys } from '../../redis/redis-keys';
import { ReplicatedWrites } from '../../redis/replica-acknowledgement';
import { ConversationCopiesWriter, type CopiesReply } from './conversation-copies';
import { APPEND_MESSAGE, LAST_MESSAGE, PUBLISH_MESSAGES } from './conversation-lua';
import { TOUCH_CONVERSATION } from './inbox-lua';

type AppendReply = [number, number, string, ...CopiesReply];

/**
 * A message is stored and told about in steps that each touch one slot (decision 0019), every
 * one safe to run again, so a retried post completes what a failed attempt left undone:
 * 1. the conversation: append (gapless seq, idempotency, author index), then announce it in seq
 *    order and read the copies the post needs, in the same script (or, when replicas must
 *    acknowledge it, once they have: `WAIT`, then a second script announces everything up to it);
 * 2. the platform-wide inbox: the conversation takes the next activity, once per seq;
 * 3. each participant: their inbox and count follow the conversation's version, at once in a
 *    quiet conversation and within a window in a busy one (decision 0020).
 * The post is answered after the first two, and after the third when it ran at once.
 */
@Injectable()
export class RedisMessageRepository extends MessageRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly writes: ReplicatedWrites,
    private readonly copies: ConversationCopiesWriter,
    private readonly announcer: StoreAnnouncer,
  ) {
    super();
  }

  async append(draft: MessageDraft, clientMessageId: string): Promise<AppendResult> {
    const { conversationId } = draft;
    const template = this.announcer.message(conversationId);
    const channel = redisChannels.room(template.room);
    const announceAtOnce = !this.writes.waitsForReplicas;
    const { copiesOf } = this.copies.copiesToRead(conversationId, draft.author.id);
    const [created, seq, json, ...appended] = await this.writes.run<AppendReply>(
      APPEND_MESSAGE,
      [redisKeys.messageLog(conversationId)],
      [
        conversationId,
        `${draft.author.id}:${clientMessageId}`,
        // The script prepends `{"seq":N,` to the serialized draft, which opens with `{`.
        JSON.stringify(draft).slice(1),
        draft.author.id,
        announceAtOnce ? 1 : 0,
        template.head,
        template.middle,
        template.tail,
        channel,
        copiesOf,
      ],
    );
    const reply = announceAtOnce
      ? appended
      : await PUBLISH_MESSAGES.run<CopiesReply>(
          this.redis,
          [redisKeys.messageLog(conversationId)],
          [conversationId, seq, template.head, template.middle, template.tail, channel, copiesOf],
        );
    const activity = await TOUCH_CONVERSATION.run<number>(
      this.redis,
      [redisKeys.inboxTouched()],
      [conversationId, seq],
    );
    await this.copies.afterMessage(conversationId, activity, draft.author.id, { copiesOf, reply });
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

  /** The last announced seq: a message waiting for replicas is not shown yet. */
  async lastSeq(conversationId: string): Promise<number> {
    return Number(
      (await this.redis.hget(redisKeys.conversationState(conversationId), 'published')) ?? 0,
    );
  }

  async lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const seqs = await Promise.all(conversationIds.map((id) => this.lastSeq(id)));
    return new Map(conversationIds.map((id, index) => [id, seqs[index]!] as const));
  }

  async lastMessages(conversationIds: readonly string[]): Promise<Map<string, Message>> {
    const replies = await Promise.all(
      conversationIds.map((id) =>
        LAST_MESSAGE.run<string | null>(
          this.redis,
          [redisKeys.conversationState(id), redisKeys.messageLog(id)],
          [],
        ),
      ),
    );
    const last = new Map<string, Message>();
    conversationIds.forEach((id, index) => {
      const json = replies[index];
      if (typeof json === 'string') last.set(id, JSON.parse(json) as Message);
    });
    return last;
  }
}
