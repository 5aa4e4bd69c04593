import { type HistogramSnapshot } from '../histogram';

export type ClientKind = 'api' | 'socketio' | 'ws';

export interface ReconnectPolicy {
  /** Full-jitter backoff: wait random(0, min(capMs, baseMs · 2^attempt)) before attempt n. */
  baseMs: number;
  capMs: number;
}

export interface SocketSpec {
  /** Global index of the socket in the workload. */
  id: number;
  /** Endpoints in order of preference; a reconnect moves on to the next one. */
  urls: string[];
  /** `member`: subscribes to `room` once connected; `writer`: only publishes to it; `idle`: neither. */
  role: 'member' | 'writer' | 'idle';
  room?: string;
  /** The API's session id (sent as `Authorization: Bearer`). */
  credential?: string;
  localAddress?: string;
}

export interface ConnectCommand {
  type: 'connect';
  kind: ClientKind;
  sockets: SocketSpec[];
  /** Connections being opened at once by this worker. */
  concurrency: number;
  origin: string;
  reconnect: ReconnectPolicy | null;
  timeoutMs: number;
}

export interface PublishCommand {
  type: 'publish';
  step: number;
  /** Messages per second sent by this worker, spread over its publishing sockets. */
  rate: number;
  durationMs: number;
  /** Latencies are recorded for messages sent in [windowStart, windowEnd) (clock ms). */
  windowStart: number;
  windowEnd: number;
  from: 'members' | 'writers';
}

export interface HttpCommand {
  type: 'http';
  /** Full URL of the post route. */
  url: string;
  cookie: string;
  sequential: number;
  concurrency: number;
  durationMs: number;
}

export interface HttpLoadResult {
  sequential: HistogramSnapshot;
  load: HistogramSnapshot;
  loadCount: number;
  loadDurationMs: number;
  errors: number;
  statuses: Record<string, number>;
}

export interface ProbeCommand {
  type: 'probe';
  /**
   * `get`: GET `url`; `post`: POST a chat message to `url`; `ready`: open a socket at `url` and
   * wait for its first frame (`ready`).
   */
  kind: 'get' | 'post' | 'ready';
  url: string;
  /** The API session: sent as the cookie `cookieName` over HTTP, as `Authorization: Bearer` to the socket. */
  session: string;
  cookieName: string;
  origin: string;
  samples: number;
  /** Samples taken first and not recorded (connections, caches and the JIT warm up). */
  warmup: number;
  timeoutMs: number;
}

export interface ProbeResult {
  latency: HistogramSnapshot;
  /** Body bytes of the answers (of the first frame for `ready`): smallest and largest. */
  bytes: { min: number; max: number };
  /** Answers by HTTP status (by event for `ready`; an error's message when there was none). */
  statuses: Record<string, number>;
}

export type WorkerCommand =
  | { type: 'clock' }
  | HttpCommand
  | ProbeCommand
  | { type: 'count' }
  | ConnectCommand
  | PublishCommand
  | { type: 'collect'; step: number }
  | { type: 'reset' }
  | { type: 'resume-report' }
  | { type: 'stats' }
  | { type: 'close' };

export interface ConnectResult {
  connected: number;
  failed: number;
  errors: string[];
  durationMs: number;
}

/** What one socket received of one room during an accounting period. */
export interface SocketDeliveries {
  id: number;
  room: string;
  /** Distinct messages, keyed by the room's writer id and counter. */
  distinct: number;
  duplicates: number;
  /** Distinct messages per writer socket id (for the storm's lost count). */
  perWriter?: Record<string, number>;
}

export interface PublishResult {
  /** Messages sent per room. */
  sentPerRoom: Record<string, number>;
  /** Messages sent per writer socket id. */
  sentPerWriter: Record<string, number>;
  sent: number;
  /** Sends that were late by more than one tick because the worker could not keep up. */
  lagMs: number;
}

export interface CollectResult {
  histogram: HistogramSnapshot;
  /** Deliveries received inside the step's window, whatever their send time. */
  receivedInWindow: number;
  sockets: SocketDeliveries[];
  errors: Record<string, number>;
  closes: Record<string, number>;
  cpuMs: number;
}

export interface ResumeReport {
  /** Per socket that lost its connection: ms from the first close to resumed (null: never). */
  resumes: Array<{
    id: number;
    closedAt: number;
    resumedAt: number | null;
    attempts: number;
    /** Reconnects whose earlier session the server restored (socket.io connection state recovery). */
    recoveries: number;
  }>;
  sockets: SocketDeliveries[];
  gaps: number;
  /** Failed reconnect attempts by reason (digits masked). */
  reconnectFailures: Record<string, number>;
}

export interface StatsResult {
  cpuMs: number;
  rssBytes: number;
  openSockets: number;
}

export type WorkerReply =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
export type WorkerRequest = { id: number; command: WorkerCommand };
