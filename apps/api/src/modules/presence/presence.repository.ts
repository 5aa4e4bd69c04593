/** A live socket of a user, as presence knows it. */
export interface PresenceConnection {
  userId: string;
  connectionId: string;
}

/**
 * Who is online, shared by every replica. Each socket is an entry with an expiry that its
 * replica's heartbeat pushes forward, so the sockets of a replica that died expire on their own.
 */
export abstract class PresenceRepository {
  /**
   * Records (or refreshes) live connections until `ttlMs` from now. Returns the ids of users who
   * had no live connection before: they just came online.
   */
  abstract touch(connections: readonly PresenceConnection[], ttlMs: number): Promise<string[]>;
  /**
   * Records a new connection until `ttlMs` from now unless the user already has
   * `maxConnections` live ones, in one atomic step: concurrent upgrades cannot both take the
   * last place. `cameOnline` as for {@link touch}.
   */
  abstract reserve(
    connection: PresenceConnection,
    ttlMs: number,
    maxConnections: number,
  ): Promise<{ reserved: boolean; cameOnline: boolean }>;
  /** Forgets a connection; true when it was the user's last live one (they went offline). */
  abstract remove(connection: PresenceConnection): Promise<boolean>;
  /**
   * Users whose every connection has expired, at most `limit` of them. Each such user is
   * returned to exactly one caller across replicas, so only one replica announces it.
   */
  abstract sweepExpired(limit: number): Promise<string[]>;
  abstract onlineUserIds(userIds: readonly string[]): Promise<Set<string>>;
}

export abstract class TypingRepository {
  /** True when no relay happened for this user and conversation in the last `intervalMs`. */
  abstract acquireRelay(
    conversationId: string,
    userId: string,
    intervalMs: number,
  ): Promise<boolean>;
}
