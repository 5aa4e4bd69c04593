import { type IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { type AuthenticatedSession, AuthService } from '../../auth/auth.service';
import { sessionIdFrom } from '../../auth/session.guard';
import { Readiness } from '../../health/readiness';
import { MetricsService } from '../../metrics/metrics.service';
import { PresenceService } from '../../presence/presence.service';

export type HandshakeVerdict =
  | { accepted: true; session: AuthenticatedSession }
  | { accepted: false; status: 401 | 403 | 429 | 503; reason: string };

/** `ws`'s `verifyClient` callback: answers before the 101, with an HTTP status on refusal. */
type VerifyCallback = (result: boolean, code?: number, message?: string) => void;

/**
 * Decides each WebSocket upgrade before any 101: draining (503), `Origin` (403), session (401),
 * sockets per user (429). The accepted session is handed to the gateway through the request.
 */
@Injectable()
export class GatewayHandshake {
  private readonly logger = new Logger(GatewayHandshake.name);
  private readonly accepted = new WeakMap<IncomingMessage, AuthenticatedSession>();
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly auth: AuthService,
    private readonly presence: PresenceService,
    private readonly readiness: Readiness,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.allowedOrigins = new Set(config.allowedOrigins);
  }

  /** For `new WebSocketServer({ verifyClient })`. */
  readonly verifyClient = (info: { req: IncomingMessage }, done: VerifyCallback): void => {
    this.decide(info.req).then(
      (verdict) => {
        if (verdict.accepted) {
          this.accepted.set(info.req, verdict.session);
          done(true);
          return;
        }
        this.metrics.handshakesRejected.inc({ status: verdict.status });
        done(false, verdict.status, verdict.reason);
      },
      (error: unknown) => {
        this.logger.warn(
          `handshake failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        this.metrics.handshakesRejected.inc({ status: 503 });
        done(false, 503, 'Service Unavailable');
      },
    );
  };

  /** The session that {@link verifyClient} accepted for this upgrade request. */
  sessionOf(request: IncomingMessage): AuthenticatedSession | undefined {
    const session = this.accepted.get(request);
    this.accepted.delete(request);
    return session;
  }

  async decide(request: IncomingMessage): Promise<HandshakeVerdict> {
    if (this.readiness.isDraining)
      return { accepted: false, status: 503, reason: 'Service Unavailable' };
    if (!this.originsAllowed(request)) return { accepted: false, status: 403, reason: 'Forbidden' };
    const cookies = request.headers.cookie ? parseCookies(request.headers.cookie) : {};
    const sessionId = sessionIdFrom(request.headers, cookies as Record<string, string>);
    const session = sessionId ? await this.auth.authenticate(sessionId) : null;
    if (!session) return { accepted: false, status: 401, reason: 'Unauthorized' };
    if ((await this.presence.connectionCount(session.user.id)) >= this.config.wsMaxSocketsPerUser) {
      return { accepted: false, status: 429, reason: 'Too Many Requests' };
    }
    return { accepted: true, session };
  }

  /**
   * Browsers always send `Origin` on a WebSocket upgrade, so an allowlist stops cross-site pages
   * from riding the session cookie; non-browser clients may omit it. `ws` also speaks version 8
   * of the protocol, whose clients send `Sec-WebSocket-Origin` instead: every origin header
   * present must be allowed, or a version-8 upgrade would bypass the check.
   */
  private originsAllowed(request: IncomingMessage): boolean {
    for (const name of ['origin', 'sec-websocket-origin'] as const) {
      const value = request.headers[name];
      if (value === undefined) continue;
      if (typeof value !== 'string' || !this.allowedOrigins.has(value)) return false;
    }
    return true;
  }
}
