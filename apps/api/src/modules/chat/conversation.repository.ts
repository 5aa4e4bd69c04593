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
  /**
   * Creates the conversation, or updates its country and title when it exists (keeping its
   * first `createdAt`). A new conversation (or one not in the inbox indexes yet) gets the next
   * activity: it enters the platform-wide and country inboxes at the top. `searchTokens` replace
   * the conversation's tokens in the search indexes.
   */
  abstract save(conversation: ConversationRecord, searchTokens: readonly string[]): Promise<void>;
  /** Replaces the conversation's search tokens (a participant was renamed). */
  abstract setSearchTokens(conversationId: string, searchTokens: readonly string[]): Promise<void>;
  /**
   * Adds a participant, who gets the conversation in their inbox at its current place with the
   * unread count of what others wrote above their read marker; false when they already were one
   * (the inbox entry and the count are made right all the same).
   */
  abstract addParticipant(conversationId: string, userId: string): Promise<boolean>;
  /** Takes a participant out, with the conversation's entry in their inbox and unread counts. */
  abstract removeParticipant(conversationId: string, userId: string): Promise<boolean>;
  abstract isParticipant(conversationId: string, userId: string): Promise<boolean>;
  /** Participant ids in the order they joined. */
  abstract listParticipants(conversationId: string): Promise<string[]>;
  abstract listForUser(userId: string): Promise<string[]>;
}
