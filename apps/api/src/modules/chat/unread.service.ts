import { Injectable } from '@nestjs/common';
import { UNREAD_CONVERSATIONS_MAX, type UnreadResponse } from '@chat/protocol';
import { InboxRepository } from './inbox.repository';

/**
 * True unread: per conversation a user takes part in, the messages above their read marker
 * written by someone else. The counts are kept by the stores on every message, read and join
 * (decision 0014), so reading them costs the same at 10 threads as at 100,000.
 */
@Injectable()
export class UnreadService {
  constructor(private readonly inbox: InboxRepository) {}

  /**
   * The total, and the counts of the most recently active conversations with unread messages
   * (the others are 0): the cost of an answer does not grow with the user's history.
   */
  async ofUser(userId: string): Promise<UnreadResponse> {
    const { total, conversations, more } = await this.inbox.unread(
      userId,
      UNREAD_CONVERSATIONS_MAX,
    );
    return { total, conversations: Object.fromEntries(conversations), hasMore: more };
  }

  total(userId: string): Promise<number> {
    return this.inbox.unreadTotal(userId);
  }

  /** The user's count in each of the conversations. */
  inConversations(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>> {
    return this.inbox.unreadCounts(userId, conversationIds);
  }
}
