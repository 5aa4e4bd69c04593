import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type User } from '@chat/protocol';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { InvalidCredentialsError, RateLimitedError } from '../../common/domain-errors';
import {
  LOGIN_ACCOUNT_RATE_WINDOW_SECONDS,
  LOGIN_RATE_WINDOW_SECONDS,
  RateLimiter,
} from '../../common/rate-limiter';
import { MetricsService } from '../metrics/metrics.service';
import { UserRepository } from '../users/user.repository';
import { toPublicUser } from '../users/users.service';
import { PasswordHasher } from './password-hasher';
import { SessionsService } from './sessions.service';

export { sessionKeyOf } from './sessions.service';

export interface AuthenticatedSession {
  user: User;
  /** Hash of the session id: what the store and the realtime layer know a session by. */
  sessionKey: string;
}

// The account's counter is keyed by a digest: no e-mail address in the store, and no odd
// characters in a key.
const accountKey = (email: string) => createHash('sha256').update(email).digest('base64url');

@Injectable()
export class AuthService {
  // Verifying against a real hash for unknown emails keeps both failures equally slow.
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordHasher,
    private readonly rateLimiter: RateLimiter,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.decoyHash = passwords.hash(randomBytes(16).toString('hex'));
  }

  /**
   * Checks the password and opens a session. Every attempt counts, before the password hash is
   * computed, against the client address and against the account (whether it exists or not):
   * guessing from one address is slow, spraying one account from many addresses is as slow, and
   * a flood costs counters, not hashes. Both refusals read the same, so neither tells whether
   * the account exists.
   */
  async login(
    email: string,
    password: string,
    clientAddress: string,
  ): Promise<{ user: User; sessionId: string }> {
    const perAddress = {
      points: this.config.loginRatePerIp,
      windowSeconds: LOGIN_RATE_WINDOW_SECONDS,
    };
    if (!(await this.rateLimiter.take('login', perAddress, clientAddress))) {
      this.metrics.loginAttempts.inc({ outcome: 'limited_address' });
      throw new RateLimitedError('Too many login attempts; try again later');
    }
    const perAccount = {
      points: this.config.loginRatePerAccount,
      windowSeconds: LOGIN_ACCOUNT_RATE_WINDOW_SECONDS,
    };
    if (!(await this.rateLimiter.take('login-account', perAccount, accountKey(email)))) {
      this.metrics.loginAttempts.inc({ outcome: 'limited_account' });
      throw new RateLimitedError('Too many login attempts; try again later');
    }
    const user = await this.users.findByEmail(email);
    const stored = user?.passwordHash ?? (await this.decoyHash);
    this.metrics.passwordChecks.inc();
    const valid = await this.passwords.verify(password, stored);
    if (!user || !user.passwordHash || !valid) {
      this.metrics.loginAttempts.inc({ outcome: 'invalid' });
      throw new InvalidCredentialsError();
    }
    if (this.passwords.needsRehash(user.passwordHash)) {
      // Only if the hash is still the one just verified: a password changed meanwhile stays.
      await this.users.replacePasswordHash(
        user.id,
        user.passwordHash,
        await this.passwords.hash(password),
      );
    }
    const sessionId = await this.sessions.open(user.id);
    this.metrics.loginAttempts.inc({ outcome: 'succeeded' });
    return { user: toPublicUser(user), sessionId };
  }

  logout(sessionId: string): Promise<void> {
    return this.sessions.end(sessionId);
  }

  async authenticate(sessionId: string): Promise<AuthenticatedSession | null> {
    const open = await this.sessions.resume(sessionId);
    if (!open) return null;
    const user = await this.users.findById(open.session.userId);
    return user ? { user: toPublicUser(user), sessionKey: open.sessionKey } : null;
  }
}
