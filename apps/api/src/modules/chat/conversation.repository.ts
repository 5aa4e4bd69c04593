export interface ConversationRecord {
  id: string;
  bookingId: string;
  bookingRef: string;
  /** Copied from the booking so conversations can be listed by country scope. */
  country: string;
  title: string;
  createdAt: string;
}

export abstract class ConversationRepository {
  abstract findById(id: string): Promise<ConversationRecord | null>;
  abstract findByIds(ids: readonly string[]): Promise<ConversationRecord[]>;
  /** Creates the conversation, or updates its country and title when it exists. */
  abstract save(conversation: ConversationRecord): Promise<void>;
  /** Ids of every conversation, or of those whose booking is in `country`. */
  abstract listIds(filter: { country?: string }): Promise<string[]>;
  /** Adds a participant; false when they already were one. */
  abstract addParticipant(conversationId: string, userId: string): Promise<boolean>;
  abstract isParticipant(conversationId: string, userId: string): Promise<boolean>;
  /** Participant ids in the order they joined. */
  abstract listParticipants(conversationId: string): Promise<string[]>;
  abstract listForUser(userId: string): Promise<string[]>;
  /** {@link listForUser} for several users at once. */
  async listForUsers(userIds: readonly string[]): Promise<Map<string, string[]>> {
    const lists = await Promise.all(userIds.map((userId) => this.listForUser(userId)));
    return new Map(userIds.map((userId, index) => [userId, lists[index]!] as const));
  }
}
