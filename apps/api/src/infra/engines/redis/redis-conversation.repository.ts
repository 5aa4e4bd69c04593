import { Inject, Injectable } from '@nestjs/common';
import {
  type ConversationRecord,
  ConversationRepository,
} from '../../../modules/chat/conversation.repository';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';
import { ConversationCopiesWriter } from './conversation-copies';
import { ADD_PARTICIPANT, REMOVE_PARTICIPANT, SAVE_CONVERSATION_RECORD } from './conversation-lua';
import { INDEX_CONVERSATION, SET_SEARCH_TOKENS } from './inbox-lua';

/**
 * Conversations in steps of one slot each (decision 0019): the record and the participants with
 * the conversation, its place in the inboxes and its search tokens in the platform-wide index,
 * each participant's copy with them. Every step is safe to run again.
 */
@Injectable()
export class RedisConversationRepository extends ConversationRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly copies: ConversationCopiesWriter,
  ) {
    super();
  }

  async findById(id: string): Promise<ConversationRecord | null> {
    const json = await this.redis.get(redisKeys.conversation(id));
    return json ? (JSON.parse(json) as ConversationRecord) : null;
  }

  async findByIds(ids: readonly string[]): Promise<ConversationRecord[]> {
    const records = await Promise.all(ids.map((id) => this.findById(id)));
    return records.filter((record) => record !== null);
  }

  async save(conversation: ConversationRecord, searchTokens: readonly string[]): Promise<void> {
    const version = await SAVE_CONVERSATION_RECORD.run<number>(
      this.redis,
      [redisKeys.conversation(conversation.id), redisKeys.conversationState(conversation.id)],
      [JSON.stringify(conversation)],
    );
    await INDEX_CONVERSATION.run(
      this.redis,
      [redisKeys.indexedConversations()],
      [conversation.id, version, conversation.country, ...searchTokens],
    );
  }

  async setSearchTokens(conversationId: string, searchTokens: readonly string[]): Promise<void> {
    await SET_SEARCH_TOKENS.run(
      this.redis,
      [redisKeys.indexedConversations()],
      [conversationId, ...searchTokens],
    );
  }

  async addParticipant(conversationId: string, userId: string): Promise<boolean> {
    const [added, version, count] = await ADD_PARTICIPANT.run<[number, number, number]>(
      this.redis,
      [redisKeys.participants(conversationId)],
      [conversationId, userId],
    );
    const activity = Number((await this.redis.zscore(redisKeys.inboxAll(), conversationId)) ?? 0);
    await this.copies.apply(conversationId, activity, 'quiet', null, [
      { userId, version, participant: true, count },
    ]);
    return added === 1;
  }

  async removeParticipant(conversationId: string, userId: string): Promise<boolean> {
    const [removed, version] = await REMOVE_PARTICIPANT.run<[number, number]>(
      this.redis,
      [redisKeys.participants(conversationId)],
      [conversationId, userId],
    );
    await this.copies.apply(conversationId, 0, 'quiet', null, [
      { userId, version, participant: false, count: 0 },
    ]);
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
