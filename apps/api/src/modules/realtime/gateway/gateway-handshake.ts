import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { clientAddress } from '../../../common/client-address';
import { RATE_LIMIT_WINDOW_SECONDS, RateLimiter } from '../../../common/rate-limiter';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { type AuthenticatedSession, AuthService } from '../../auth/auth.service';
import { sessionIdFrom } from '../../auth/session.guard';
import { Readiness } from '../../health/readiness';
import { MetricsService } from '../../metrics/metrics.service';
import { PresenceService } from '../../presence/presence.service';

/** What an accepted upgrade hands to the gateway. */
export interface AcceptedUpgrade {
  session: AuthenticatedSession;
  /** The connection's id, under which the handshake took its place among the user's sockets. */
  connectionId: string;
}

export type HandshakeVerdict =
  | ({ accepted: true } & AcceptedUpgrade)
  | { accepted: false; status: 401 | 403 | 429 | 503; reason: string };

/** `ws`'s `verifyClient` callback: answers before the 101, with an HTTP status on refusal. */
type VerifyCallback = (result: boolean, code?: number, message?: string) => void;

/**
 * Decides each WebSocket upgrade before any 101: draining (503), `Origin` (403), upgrades per
 * client address (429), session (401), sockets per user (429). The accepted session is handed to the gateway through the request.
 */
@Injectable()
export class GatewayHandshake {
  private readonly logger = new Logger(GatewayHandshake.name);
  private readonly accepted = new WeakMap<IncomingMessage, AcceptedUpgrade>();
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly auth: AuthService,
    private readonly presence: PresenceService,
    private readonly readiness: Readiness,
    private readonly metrics: MetricsService,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.allowedOrigins = new Set(config.allowedOrigins);
  }

  /** For `new WebSocketServer({ verifyClient })`. */
  readonly verifyClient = (info: { req: IncomingMessage }, done: VerifyCallback): void => {
    this.decide(info.req).then(
      (verdict) => {
        if (verdict.accepted) {
          this.accepted.set(info.req, {
            session: verdict.session,
            connectionId: verdict.connectionId,
          });
          done(true);
          return;
        }
        this.metrics.handshakesRejected.inc({ status: verdict.status });
        done(false, verdict.status, verdict.reason);
      },
      (error: unknown) => {
        this.logger.warn({ err: error }, 'handshake failed');
        this.metrics.handshakesRejected.inc({ status: 503 });
        done(false, 503, 'Service Unavailable');
      },
    );
  };

  /** What {@link verifyClient} accepted for this upgrade request. */
  acceptedUpgrade(request: IncomingMessage): AcceptedUpgrade | undefined {
    const accepted = this.accepted.get(request);
    this.accepted.delete(request);
    return accepted;
  }

  async decide(request: IncomingMessage): Promise<HandshakeVerdict> {
    if (this.readiness.isDraining)
      return { accepted: false, status: 503, reason: 'Service Unavailable' };
    if (!this.originsAllowed(request)) return { accepted: false, status: 403, reason: 'Forbidden' };
    // Before the session lookup: a flood of upgrades from one address costs one counter each.
    const connectLimit = {
      points: this.config.wsConnectRatePerIp,
      windowSeconds: RATE_LIMIT_WINDOW_SECONDS,
    };
    if (!(await this.rateLimiter.take('ws-connect', connectLimit, clientAddress(request)))) {
      return { accepted: false, status: 429, reason: 'Too Many Requests' };
    }
    const cookies = request.headers.cookie ? parseCookies(request.headers.cookie) : {};
    const sessionId = sessionIdFrom(request.headers, cookies as Record<string, string>);
    const session = sessionId ? await this.auth.authenticate(sessionId) : null;
    if (!session) return { accepted: false, status: 401, reason: 'Unauthorized' };
    // Counting and taking the place in one step: checked first and taken at `open`, concurrent
    // upgrades all saw room and all got in.
    const connectionId = randomUUID();
    const reserved = await this.presence.reserve(
      { userId: session.user.id, connectionId },
      this.config.wsMaxSocketsPerUser,
    );
    if (!reserved) return { accepted: false, status: 429, reason: 'Too Many Requests' };
    return { accepted: true, session, connectionId };
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
