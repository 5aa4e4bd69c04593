import { type User } from '@chat/protocol';

/** A user as stored: the public fields plus the password hash (never sent to clients). */
export interface UserRecord extends User {
  passwordHash: string | null;
}

export abstract class UserRepository {
  abstract findById(id: string): Promise<UserRecord | null>;
  abstract findByIds(ids: readonly string[]): Promise<UserRecord[]>;
  abstract findByEmail(email: string): Promise<UserRecord | null>;
  abstract findByHandle(handle: string): Promise<UserRecord | null>;
  /**
   * Creates or replaces the user with this id. Email and handle stay unique:
   * `conflict` names the field another user already holds.
   */
  abstract upsert(user: UserRecord): Promise<{ conflict: 'email' | 'handle' | null }>;
  /** Replaces the password hash only if it is still `expected`; false otherwise. */
  abstract replacePasswordHash(id: string, expected: string, next: string): Promise<boolean>;
}
