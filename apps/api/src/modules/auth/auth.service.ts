import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type User } from '@chat/protocol';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DomainEvents } from '../../common/domain-events';
import { InvalidCredentialsError, RateLimitedError } from '../../common/domain-errors';
import { LOGIN_RATE_WINDOW_SECONDS, RateLimiter } from '../../common/rate-limiter';
import { UserRepository } from '../users/user.repository';
import { toPublicUser } from '../users/users.service';
import { PasswordHasher } from './password-hasher';
import { SessionRepository } from './session.repository';

export interface AuthenticatedSession {
  user: User;
  /** Hash of the session id: what the store and the realtime layer know a session by. */
  sessionKey: string;
}

/** The store keeps a hash of the session id, never the id itself. */
export function sessionKeyOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

@Injectable()
export class AuthService {
  // Verifying against a real hash for unknown emails keeps both failures equally slow.
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly passwords: PasswordHasher,
    private readonly events: DomainEvents,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.decoyHash = passwords.hash(randomBytes(16).toString('hex'));
  }

  /**
   * Checks the password and opens a session. Every attempt from the client address counts,
   * before the password hash is computed: guessing passwords from one address is slow, and a
   * flood of attempts costs a counter each, not a hash.
   */
  async login(
    email: string,
    password: string,
    clientAddress: string,
  ): Promise<{ user: User; sessionId: string }> {
    const limit = { points: this.config.loginRatePerIp, windowSeconds: LOGIN_RATE_WINDOW_SECONDS };
    if (!(await this.rateLimiter.take('login', limit, clientAddress))) {
      throw new RateLimitedError('Too many login attempts; try again in a minute');
    }
    const user = await this.users.findByEmail(email);
    const valid = await this.passwords.verify(
      password,
      user?.passwordHash ?? (await this.decoyHash),
    );
    if (!user || !user.passwordHash || !valid) throw new InvalidCredentialsError();
    const sessionId = randomBytes(32).toString('base64url');
    await this.sessions.create(
      sessionKeyOf(sessionId),
      { userId: user.id, createdAt: new Date().toISOString() },
      this.config.sessionTtlSeconds,
    );
    return { user: toPublicUser(user), sessionId };
  }

  async logout(sessionId: string): Promise<void> {
    const sessionKey = sessionKeyOf(sessionId);
    const session = await this.sessions.find(sessionKey);
    if (!session) return;
    await this.sessions.revoke(sessionKey);
    this.events.emit('session.revoked', { sessionKey, userId: session.userId });
  }

  async authenticate(sessionId: string): Promise<AuthenticatedSession | null> {
    const sessionKey = sessionKeyOf(sessionId);
    const session = await this.sessions.find(sessionKey);
    if (!session) return null;
    const user = await this.users.findById(session.userId);
    return user ? { user: toPublicUser(user), sessionKey } : null;
  }
}
