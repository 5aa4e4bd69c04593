import { type IncomingMessage } from 'node:http';
import { Inject, Logger } from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  WebSocketGateway,
} from '@nestjs/websockets';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { type RawData, WebSocket } from 'ws';
import {
  CLIENT_EVENTS,
  clientFrameSchema,
  CloseCode,
  GATEWAY_PATH,
  RECONNECTABLE_CLOSE_CODES,
} from '@chat/protocol';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { toFieldProblems } from '../../../common/validation';
import { MetricsService } from '../../metrics/metrics.service';
import { ClientConnection, type SocketPort } from '../client-connection';
import { ConnectionRegistry } from '../connection-registry';
import { ConversationSubscriptions } from '../delivery/conversation-subscriptions';
import { ConnectionLifecycle } from '../lifecycle/connection-lifecycle';
import { REALTIME_LIMITS } from '../realtime-limits';
import { GatewayHandshake } from './gateway-handshake';
import { RealtimeCommands } from './realtime-commands.service';
import { errorFrame, toErrorFrame } from './ws-error-frames';
import { sendText } from './ws-text-frames';

const KNOWN_EVENTS: ReadonlySet<string> = new Set(CLIENT_EVENTS);

/**
 * `/ws/chat`. Transport only: the upgrade was authenticated by {@link GatewayHandshake}; here
 * each frame is rate limited, parsed and validated with the protocol schemas, then handed to
 * {@link RealtimeCommands} on the connection's queue. Nothing a client sends can throw out
 * of here: it gets an `error` frame and the socket stays open.
 */
@WebSocketGateway({ path: GATEWAY_PATH })
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly connections = new WeakMap<WebSocket, ClientConnection>();
  private readonly frameLimiter = new RateLimiterMemory({
    keyPrefix: 'ws-frames',
    points: REALTIME_LIMITS.framesPerWindow,
    duration: REALTIME_LIMITS.windowSeconds,
  });
  private readonly refusalLimiter = new RateLimiterMemory({
    keyPrefix: 'ws-refusals',
    points: REALTIME_LIMITS.refusalsBeforeClose,
    duration: REALTIME_LIMITS.windowSeconds,
  });

  constructor(
    private readonly handshake: GatewayHandshake,
    private readonly commands: RealtimeCommands,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly subscriptions: ConversationSubscriptions,
    private readonly registry: ConnectionRegistry,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const accepted = this.handshake.acceptedUpgrade(request);
    if (!accepted) {
      socket.close(1011, 'handshake state lost');
      return;
    }
    const { session, connectionId } = accepted;
    const connection = new ClientConnection(
      connectionId,
      session.user,
      session.sessionKey,
      socketPort(socket),
      { sendBufferLimitBytes: this.config.wsSendBufferLimitBytes },
      {
        frameSent: (event) => this.metrics.frameSent(event),
        slowConsumer: () => this.metrics.slowConsumers.inc(),
        accessChanged: (conversationId) => {
          connection
            .enqueue(() => this.subscriptions.recheckAccess(connection, conversationId))
            .catch((error: unknown) => {
              // Fail closed: a socket whose access could not be re-checked starts over.
              this.logger.warn({ err: error }, `access re-check of ${connection.id} failed`);
              connection.close(1011, 'could not re-check access');
            });
        },
        participantJoined: (conversationId, userId) => {
          connection
            .enqueue(() => this.subscriptions.followPresence(connection, conversationId, [userId]))
            .catch((error: unknown) =>
              this.logger.warn({ err: error }, `presence follow of ${connection.id} failed`),
            );
        },
      },
    );
    this.connections.set(socket, connection);
    // Registered at once, so a drain that starts now closes it too; removed after its cleanup.
    this.registry.add(connection);
    this.metrics.openSockets.inc();
    // `ws` reports protocol faults (a frame over 64 KiB: 1009) and closes the socket itself.
    socket.on('error', (error) => this.logger.debug(`socket ${connection.id}: ${error.message}`));
    socket.on('pong', () => connection.heardFrom());
    socket.on('close', (code) => this.metrics.socketsClosed.inc({ code: closeCodeLabel(code) }));
    socket.on('message', (data, isBinary) => this.onFrame(connection, data, isBinary));
    connection
      .enqueue(() => this.lifecycle.open(connection))
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, `could not open ${connection.id}`);
        connection.close(1011, 'could not start the session');
      });
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    this.connections.delete(socket);
    this.metrics.openSockets.dec();
    connection
      .enqueue(() => this.lifecycle.close(connection))
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, `cleanup of ${connection.id} failed`),
      );
  }

  private onFrame(connection: ClientConnection, data: RawData, isBinary: boolean): void {
    if (connection.isClosing) return;
    connection.heardFrom();
    this.frameLimiter.consume(connection.id).then(
      () => this.accept(connection, data, isBinary),
      () => this.refuse(connection),
    );
  }

  private accept(connection: ClientConnection, data: RawData, isBinary: boolean): void {
    if (connection.pendingTasks >= REALTIME_LIMITS.maxQueuedFrames) {
      this.refuse(connection);
      return;
    }
    const parsed = isBinary ? undefined : parseJson(data);
    const ref = refOf(parsed);
    const result = clientFrameSchema.safeParse(parsed);
    if (!result.success) {
      this.metrics.framesReceived.inc({ event: 'invalid' });
      const problems = toFieldProblems(result.error).map(
        (problem) => `${problem.path}: ${problem.message}`,
      );
      const reply = errorFrame('bad_request', describeInvalid(parsed, isBinary, problems), ref);
      void connection.enqueue(async () => connection.send(reply));
      return;
    }
    const frame = result.data;
    this.metrics.framesReceived.inc({ event: frame.event });
    connection
      .enqueue(() => this.commands.handle(connection, frame))
      .catch((error: unknown) => connection.send(toErrorFrame(error, ref)));
  }

  private refuse(connection: ClientConnection): void {
    this.metrics.rateLimited.inc();
    this.refusalLimiter.consume(connection.id).then(
      () => connection.send(errorFrame('rate_limited', 'Too many frames; slow down')),
      () => connection.closeForPolicy(1008, 'rate limit exceeded'),
    );
  }
}

function socketPort(socket: WebSocket): SocketPort {
  return {
    send: (data) => sendText(socket, data),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
    ping: () => socket.ping(),
    pause: () => socket.pause(),
    close: (code, reason) => socket.close(code, reason),
    terminate: () => socket.terminate(),
  };
}

/** Close codes counted by their number; a client can pick any other, counted as `other`. */
const COUNTED_CLOSE_CODES: ReadonlySet<number> = new Set([
  ...Object.values(CloseCode),
  ...RECONNECTABLE_CLOSE_CODES,
  1005,
]);

function closeCodeLabel(code: number): string {
  return COUNTED_CLOSE_CODES.has(code) ? String(code) : 'other';
}

const NOT_JSON = Symbol('not JSON');

function parseJson(data: RawData): unknown {
  try {
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

function refOf(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { ref } = parsed as { ref?: unknown };
  return typeof ref === 'string' && ref.length <= 64 ? ref : undefined;
}

function describeInvalid(parsed: unknown, isBinary: boolean, problems: string[]): string {
  if (isBinary) return 'Frames must be UTF-8 JSON text';
  if (parsed === NOT_JSON) return 'The frame is not valid JSON';
  const event =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { event?: unknown }).event
      : undefined;
  if (typeof event !== 'string') return 'A frame needs an "event" string and a "data" object';
  if (!KNOWN_EVENTS.has(event)) return `Unknown event "${event.slice(0, 64)}"`;
  return `Invalid "${event}" frame: ${problems.join('; ')}`;
}
