import { Injectable } from '@nestjs/common';
import { type UnreadResponse, type User } from '@chat/protocol';
import { decideConversationAccess } from '../access/conversation-access.policy';
import { UserRepository } from '../users/user.repository';
import { toPublicUser } from '../users/users.service';
import { type ConversationRecord, ConversationRepository } from './conversation.repository';
import { MessageRepository } from './message.repository';
import { ReadStateRepository } from './read-state.repository';

/**
 * True unread: per conversation a user takes part in, the messages above their read marker
 * written by someone else (decision 0004).
 */
@Injectable()
export class UnreadService {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly readState: ReadStateRepository,
    private readonly users: UserRepository,
  ) {}

  /** The counts over the conversations the user takes part in and may still see. */
  async ofUser(user: User): Promise<UnreadResponse> {
    const records = await this.conversations.findByIds(
      await this.conversations.listForUser(user.id),
    );
    const ids = ownVisible(user, records).map((conversation) => conversation.id);
    return unreadResponse(await this.byConversation(user.id, ids));
  }

  /**
   * {@link ofUser} for many users known by id, in a few store round trips for all of them;
   * users that no longer exist are left out.
   */
  async ofUsers(userIds: readonly string[]): Promise<Map<string, UnreadResponse>> {
    const users = (await this.users.findByIds(userIds)).map(toPublicUser);
    const lists = await this.conversations.listForUsers(users.map((user) => user.id));
    const records = new Map(
      (await this.conversations.findByIds([...new Set([...lists.values()].flat())])).map(
        (record) => [record.id, record] as const,
      ),
    );
    const visible = new Map(
      users.map((user) => {
        const own = (lists.get(user.id) ?? []).flatMap((id) => records.get(id) ?? []);
        return [user.id, ownVisible(user, own).map((record) => record.id)] as const;
      }),
    );
    const counts = await this.counts(visible);
    return new Map(
      [...counts].map(
        ([userId, byConversation]) => [userId, unreadResponse(byConversation)] as const,
      ),
    );
  }

  /** The user's count in each of the conversations. */
  async byConversation(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>> {
    const counts = await this.counts(new Map([[userId, conversationIds]]));
    return counts.get(userId) ?? new Map();
  }

  /** The user's count in one conversation, given their read marker there. */
  countAfter(userId: string, conversationId: string, marker: number): Promise<number> {
    return this.messages.countFromOthers(conversationId, userId, marker);
  }

  /** {@link byConversation} for several users, with one count query for all of them. */
  private async counts(
    conversationIdsByUser: ReadonlyMap<string, readonly string[]>,
  ): Promise<Map<string, Map<string, number>>> {
    const markers = await this.readState.getManyForUsers(conversationIdsByUser);
    const queries = [...conversationIdsByUser].flatMap(([userId, ids]) =>
      ids.map((conversationId) => ({
        conversationId,
        userId,
        afterSeq: markers.get(userId)?.get(conversationId) ?? 0,
      })),
    );
    const counts = await this.messages.countsFromOthers(queries);
    const byUser = new Map(
      [...conversationIdsByUser.keys()].map((userId) => [userId, new Map<string, number>()]),
    );
    queries.forEach(({ userId, conversationId }, index) =>
      byUser.get(userId)!.set(conversationId, counts[index]!),
    );
    return byUser;
  }
}

function unreadResponse(byConversation: Map<string, number>): UnreadResponse {
  let total = 0;
  for (const count of byConversation.values()) total += count;
  return { total, conversations: Object.fromEntries(byConversation) };
}

/** The user's own conversations they may still see: one who left the country scope no longer does. */
export function ownVisible(user: User, records: ConversationRecord[]): ConversationRecord[] {
  return records.filter(
    (conversation) => decideConversationAccess(user, conversation.country, true).allowed,
  );
}
