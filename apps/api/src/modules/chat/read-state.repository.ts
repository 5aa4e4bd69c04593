export abstract class ReadStateRepository {
  /** Moves the user's read marker forward to `seq` (never back); returns the marker. */
  abstract advance(userId: string, conversationId: string, seq: number): Promise<number>;
  abstract get(userId: string, conversationId: string): Promise<number>;
  abstract getMany(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>>;
}
