export abstract class ReadStateRepository {
  /** Moves the user's read marker forward to `seq` (never back); returns the marker. */
  abstract advance(userId: string, conversationId: string, seq: number): Promise<number>;
  abstract get(userId: string, conversationId: string): Promise<number>;
  abstract getMany(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>>;
  /** {@link getMany} for several users at once: markers per user, then per conversation. */
  async getManyForUsers(
    conversationIdsByUser: ReadonlyMap<string, readonly string[]>,
  ): Promise<Map<string, Map<string, number>>> {
    const entries = await Promise.all(
      [...conversationIdsByUser].map(
        async ([userId, ids]) => [userId, await this.getMany(userId, ids)] as const,
      ),
    );
    return new Map(entries);
  }
}
