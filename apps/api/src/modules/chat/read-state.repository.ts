export interface ReadResult {
  /** The read marker after the read. */
  marker: number;
  /** The user's unread count in the conversation, and in all of theirs. */
  count: number;
  total: number;
}

export abstract class ReadStateRepository {
  /**
   * Moves the user's read marker forward to `seq` (never back, never past the last message) and,
   * in the same step, sets their unread count in the conversation to what others wrote above it
   * and announces the new count to the user's room when they take part in it.
   */
  abstract advance(userId: string, conversationId: string, seq: number): Promise<ReadResult>;
  abstract get(userId: string, conversationId: string): Promise<number>;
}
