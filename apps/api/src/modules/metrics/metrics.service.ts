import { Injectable, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RedisConnections } from '../../infra/redis/redis-connections';

/**
 * The Prometheus metrics of this replica. One registry per application (not prom-client's
 * global one), so several instances can run in one process, as the tests do.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly openSockets = new Gauge({
    name: 'chat_ws_open_sockets',
    help: 'WebSocket connections currently open on this replica',
    registers: [this.registry],
  });
  readonly framesReceived = new Counter({
    name: 'chat_ws_frames_received_total',
    help: 'Frames received from clients, by event (invalid: not JSON or not a known frame)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  /**
   * Frames sent since the last read of {@link framesSent}, by event. A live message goes to
   * every socket of its room, and prom-client hashes the labels on each `inc`: the counts are
   * kept here and added to the counter when it is read.
   */
  private readonly unreportedFramesSent = new Map<string, number>();
  readonly framesSent = new Counter({
    name: 'chat_ws_frames_sent_total',
    help: 'Frames sent to clients, by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [event, count] of this.unreportedFramesSent) this.framesSent.inc({ event }, count);
      this.unreportedFramesSent.clear();
    },
  });
  readonly fanoutLatency = new Histogram({
    name: 'chat_realtime_fanout_latency_seconds',
    help: 'From publishing a room event on any replica to handing it to the local sockets',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly payloadsReceived = new Counter({
    name: 'chat_realtime_payloads_received_total',
    help: 'Payloads this replica received from the bus (only rooms it has members in)',
    registers: [this.registry],
  });
  readonly redisErrors = new Counter({
    name: 'chat_redis_errors_total',
    help: 'Errors reported by Redis connections, by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  readonly redisConnected = new Gauge({
    name: 'chat_redis_connected',
    help: 'Whether a Redis connection is ready (1) or not (0), by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'chat_ws_rate_limited_total',
    help: 'Client frames refused by the per-connection rate limit',
    registers: [this.registry],
  });
  readonly handshakesRejected = new Counter({
    name: 'chat_ws_handshakes_rejected_total',
    help: 'WebSocket upgrades answered with an HTTP error instead of 101, by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly slowConsumers = new Counter({
    name: 'chat_ws_slow_consumers_total',
    help: 'Sockets closed with 1013 because their unsent data passed WS_SEND_BUFFER_LIMIT_BYTES',
    registers: [this.registry],
  });
  readonly loginAttempts = new Counter({
    name: 'chat_auth_login_attempts_total',
    help: 'Login attempts, by outcome (succeeded, invalid, limited_address, limited_account)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly passwordChecks = new Counter({
    name: 'chat_auth_password_checks_total',
    help: 'Passwords checked against a hash (the costly part of a login)',
    registers: [this.registry],
  });
  readonly socketsClosed = new Counter({
    name: 'chat_ws_closed_total',
    help: 'WebSocket connections closed, by close code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor(@Optional() redisConnections?: RedisConnections) {
    collectDefaultMetrics({ register: this.registry });
    // Counts the errors of every Redis connection and tracks whether each is ready.
    redisConnections?.observe({
      error: (connection) => this.redisErrors.inc({ connection }),
      status: (connection, ready) => this.redisConnected.set({ connection }, ready ? 1 : 0),
    });
  }

  /** One frame sent to a client (see {@link framesSent}). */
  frameSent(event: string): void {
    this.unreportedFramesSent.set(event, (this.unreportedFramesSent.get(event) ?? 0) + 1);
  }
}
