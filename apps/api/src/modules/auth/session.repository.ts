export interface SessionRecord {
  userId: string;
  createdAt: string;
  /** The end of the absolute lifetime, however active the session is. */
  expiresAt: string;
  /** The last time the idle timeout was pushed back. */
  touchedAt: string;
}

/**
 * Server-side sessions, keyed by a hash of the session id so a store dump holds no usable ids,
 * and indexed per user so all of a user's sessions can be ended at once. A session ends by
 * itself `ttlSeconds` after it was created or last touched.
 */
export abstract class SessionRepository {
  /** Stores the session and adds it to its user's index. */
  abstract create(key: string, session: SessionRecord, ttlSeconds: number): Promise<void>;
  abstract find(key: string): Promise<SessionRecord | null>;
  /** Stores `session` with a new time to live, if the session still exists (never revives it). */
  abstract touch(key: string, session: SessionRecord, ttlSeconds: number): Promise<void>;
  /** Ends one session; false when it had ended already. */
  abstract revoke(key: string, userId: string): Promise<boolean>;
  /** Ends every session of the user; resolves with the keys of those that were still open. */
  abstract revokeAllOf(userId: string): Promise<string[]>;
}
