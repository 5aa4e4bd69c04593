import { Inject, Injectable } from '@nestjs/common';
import { type ReadResult, ReadStateRepository } from '../../../modules/chat/read-state.repository';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';
import { ConversationCopiesWriter } from './conversation-copies';
import { ADVANCE_MARKER } from './conversation-lua';

type AdvanceReply = [number, number, number, number, number];

/**
 * Read markers live with their conversation (so its step can count what others wrote above
 * them); the reader's own count and total follow in the user step (decision 0019), and their
 * sockets hear of it when the read changed something.
 */
@Injectable()
export class RedisReadStateRepository extends ReadStateRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly copies: ConversationCopiesWriter,
  ) {
    super();
  }

  async advance(userId: string, conversationId: string, seq: number): Promise<ReadResult> {
    const [marker, count, participant, version, changed] = await ADVANCE_MARKER.run<AdvanceReply>(
      this.redis,
      [redisKeys.readMarkers(conversationId)],
      [conversationId, userId, seq],
    );
    if (participant !== 1) return { marker, count, total: await this.total(userId) };
    const totals = await this.copies.apply(
      conversationId,
      0,
      changed === 1 ? 'read' : 'quiet',
      null,
      [{ userId, version, participant: true, count }],
    );
    return { marker, count, total: totals.get(userId) ?? 0 };
  }

  async get(userId: string, conversationId: string): Promise<number> {
    return Number((await this.redis.hget(redisKeys.readMarkers(conversationId), userId)) ?? 0);
  }

  private async total(userId: string): Promise<number> {
    return Number((await this.redis.get(redisKeys.userUnreadTotal(userId))) ?? 0);
  }
}
