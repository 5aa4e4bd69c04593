import { Inject, Injectable } from '@nestjs/common';
import { StoreAnnouncer } from '../../../modules/chat/store-announcer.port';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisChannels, redisKeys } from '../../redis/redis-keys';
import { RedisTopology } from '../../redis/redis-topology';
import { APPLY_COPIES, copyArguments, copyKeys, type CopyCause, type UserCopy } from './user-lua';

/** What a conversation's step returned for its participants' copies. */
export interface ConversationCopies {
  version: number;
  participants: string[];
  counts: number[];
  /** The last announced message (JSON), for the `unread` frames a message causes. */
  lastMessageJson: string | null;
}

/** The reply shape of {@link ConversationCopies} inside a script's reply. */
export type CopiesReply = [number, string[], number[], string | false];

export function readCopies([version, participants, counts, last]: CopiesReply): ConversationCopies {
  return { version, participants, counts, lastMessageJson: last === false ? null : last };
}

/**
 * Applies a conversation's change to its participants' own keys (the user steps): one script per
 * slot of users on a Cluster, one for everyone on a single node.
 */
@Injectable()
export class ConversationCopiesWriter {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly topology: RedisTopology,
    private readonly announcer: StoreAnnouncer,
  ) {}

  /** Every participant's copy after a message (their place in the inbox moves to `activity`). */
  async afterMessage(
    conversationId: string,
    copies: ConversationCopies,
    activity: number,
  ): Promise<void> {
    await this.apply(
      conversationId,
      activity,
      'message',
      copies.lastMessageJson,
      copies.participants.map((userId, index) => ({
        userId,
        version: copies.version,
        participant: true,
        count: copies.counts[index] ?? 0,
      })),
    );
  }

  /** Applies `copies`; returns each user's unread total. */
  async apply(
    conversationId: string,
    activity: number,
    cause: CopyCause,
    lastMessageJson: string | null,
    copies: readonly UserCopy[],
  ): Promise<Map<string, number>> {
    const template = this.announcer.unread(conversationId);
    const channelOf = (userId: string) => redisChannels.room(template.userRoomPrefix + userId);
    const groups = this.topology.groups(copies, (copy) => redisKeys.userVersions(copy.userId));
    const totals = new Map<string, number>();
    await Promise.all(
      groups.map(async (group) => {
        const replies = await APPLY_COPIES.run<number[]>(
          this.redis,
          group.flatMap((copy) => copyKeys(copy.userId)),
          copyArguments(
            conversationId,
            activity,
            cause,
            lastMessageJson,
            template,
            group,
            channelOf,
          ),
        );
        group.forEach((copy, index) => totals.set(copy.userId, Number(replies[index] ?? 0)));
      }),
    );
    return totals;
  }
}
