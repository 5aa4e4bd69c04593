export interface SessionRecord {
  userId: string;
  createdAt: string;
}

/** Server-side sessions, keyed by a hash of the session id so a store dump holds no usable ids. */
export abstract class SessionRepository {
  abstract create(key: string, session: SessionRecord, ttlSeconds: number): Promise<void>;
  abstract find(key: string): Promise<SessionRecord | null>;
  abstract revoke(key: string): Promise<boolean>;
}
