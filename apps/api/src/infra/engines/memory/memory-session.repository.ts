import { Injectable } from '@nestjs/common';
import { type SessionRecord, SessionRepository } from '../../../modules/auth/session.repository';

@Injectable()
export class MemorySessionRepository extends SessionRepository {
  private readonly sessions = new Map<string, { session: SessionRecord; expiresAt: number }>();

  async create(key: string, session: SessionRecord, ttlSeconds: number): Promise<void> {
    this.sessions.set(key, { session: { ...session }, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async find(key: string): Promise<SessionRecord | null> {
    const entry = this.sessions.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.sessions.delete(key);
      return null;
    }
    return { ...entry.session };
  }

  async revoke(key: string): Promise<boolean> {
    return this.sessions.delete(key);
  }
}
