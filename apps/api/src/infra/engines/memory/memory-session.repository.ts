import { Injectable } from '@nestjs/common';
import { type SessionRecord, SessionRepository } from '../../../modules/auth/session.repository';

@Injectable()
export class MemorySessionRepository extends SessionRepository {
  private readonly sessions = new Map<string, { session: SessionRecord; expiresAt: number }>();
  private readonly byUser = new Map<string, Set<string>>();

  async create(key: string, session: SessionRecord, ttlSeconds: number): Promise<void> {
    this.sessions.set(key, { session: { ...session }, expiresAt: Date.now() + ttlSeconds * 1000 });
    const keys = this.byUser.get(session.userId) ?? new Set();
    keys.add(key);
    this.byUser.set(session.userId, keys);
  }

  async find(key: string): Promise<SessionRecord | null> {
    return this.live(key) ? { ...this.sessions.get(key)!.session } : null;
  }

  async touch(key: string, session: SessionRecord, ttlSeconds: number): Promise<void> {
    if (!this.live(key)) return;
    this.sessions.set(key, { session: { ...session }, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async revoke(key: string, userId: string): Promise<boolean> {
    this.byUser.get(userId)?.delete(key);
    const live = this.live(key);
    this.sessions.delete(key);
    return live;
  }

  async revokeAllOf(userId: string): Promise<string[]> {
    const keys = [...(this.byUser.get(userId) ?? [])];
    this.byUser.delete(userId);
    const ended = keys.filter((key) => this.live(key));
    for (const key of keys) this.sessions.delete(key);
    return ended;
  }

  private live(key: string): boolean {
    const entry = this.sessions.get(key);
    if (!entry) return false;
    if (entry.expiresAt > Date.now()) return true;
    this.sessions.delete(key);
    this.byUser.get(entry.session.userId)?.delete(key);
    return false;
  }
}
