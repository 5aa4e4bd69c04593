import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainEvents } from '../../common/domain-events';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { type SessionRecord, SessionRepository } from './session.repository';

/** The store keeps a hash of the session id, never the id itself. */
export function sessionKeyOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

export interface OpenSession {
  /** Hash of the session id: what the store and the realtime layer know a session by. */
  sessionKey: string;
  session: SessionRecord;
}

const iso = (time: number) => new Date(time).toISOString();

/**
 * Sessions end `SESSION_IDLE_TIMEOUT_SECONDS` after their last use and `SESSION_TTL_SECONDS`
 * after they were opened, whichever comes first. Ending them tells the realtime layer, which
 * closes their sockets with 4401 on every replica.
 */
@Injectable()
export class SessionsService {
  private readonly idleMs: number;
  private readonly lifetimeMs: number;
  // Pushing the idle timeout back is a journaled write: done once per hundredth of the timeout
  // (about 100 minutes for a week), so the timeout holds to within 1 %.
  private readonly touchIntervalMs: number;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.idleMs = config.sessionIdleTimeoutSeconds * 1000;
    this.lifetimeMs = config.sessionTtlSeconds * 1000;
    this.touchIntervalMs = Math.max(1000, Math.floor(this.idleMs / 100));
  }

  /** Opens a session for the user; resolves with its id, the cookie's value. */
  async open(userId: string): Promise<string> {
    const sessionId = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: SessionRecord = {
      userId,
      createdAt: iso(now),
      expiresAt: iso(now + this.lifetimeMs),
      touchedAt: iso(now),
    };
    await this.sessions.create(sessionKeyOf(sessionId), session, this.ttlSeconds(session, now));
    return sessionId;
  }

  /** The open session behind an id, its idle timeout pushed back; null once it has ended. */
  async resume(sessionId: string): Promise<OpenSession | null> {
    const sessionKey = sessionKeyOf(sessionId);
    const session = await this.sessions.find(sessionKey);
    if (!session) return null;
    const now = Date.now();
    // Sessions stored before the idle timeout are in no user's index, where ending all of a
    // user's sessions would miss them: they end now.
    if (!session.expiresAt || Date.parse(session.expiresAt) <= now) {
      await this.sessions.revoke(sessionKey, session.userId);
      return null;
    }
    if (now - Date.parse(session.touchedAt) >= this.touchIntervalMs) {
      const touched = { ...session, touchedAt: iso(now) };
      await this.sessions.touch(sessionKey, touched, this.ttlSeconds(touched, now));
      return { sessionKey, session: touched };
    }
    return { sessionKey, session };
  }

  /** Ends one session (a logout). */
  async end(sessionId: string): Promise<void> {
    const sessionKey = sessionKeyOf(sessionId);
    const session = await this.sessions.find(sessionKey);
    if (!session) return;
    if (await this.sessions.revoke(sessionKey, session.userId)) {
      this.events.emit('session.revoked', { sessionKey, userId: session.userId });
    }
  }

  /** Ends every session of a user; resolves with how many were open. */
  async endAllOf(userId: string): Promise<number> {
    const ended = await this.sessions.revokeAllOf(userId);
    for (const sessionKey of ended) this.events.emit('session.revoked', { sessionKey, userId });
    return ended.length;
  }

  private ttlSeconds(session: SessionRecord, now: number): number {
    const untilEnd = Date.parse(session.expiresAt) - now;
    return Math.max(1, Math.ceil(Math.min(this.idleMs, untilEnd) / 1000));
  }
}
