import { Injectable } from '@nestjs/common';
import { type UnreadResponse } from '@chat/protocol';
import { InboxRepository } from './inbox.repository';

/**
 * True unread: per conversation a user takes part in, the messages above their read marker
 * written by someone else (decision 0004). The counts are kept by the stores on every message,
 * read and join (decision 0014), so reading them costs the same at 10 threads as at 100,000.
 */
@Injectable()
export class UnreadService {
  constructor(private readonly inbox: InboxRepository) {}

  /** Every conversation where the user has unread messages (the others are 0), and the total. */
  async ofUser(userId: string): Promise<UnreadResponse> {
    const { total, conversations } = await this.inbox.unread(userId);
    return { total, conversations: Object.fromEntries(conversations) };
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
