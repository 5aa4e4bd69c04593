import { type LatencySummary } from './histogram';
import { type ContenderName } from './contenders/contender';
import { type Profile, type ProfileName } from './profiles';

export interface FanoutStep {
  offeredRate: number;
  /** Deliveries the offered rate asks for per second (rate × members per room). */
  offeredDeliveryRate: number;
  /** Deliveries received per second inside the measured window. */
  deliveredRate: number;
  sent: number;
  expectedDeliveries: number;
  delivered: number;
  missing: number;
  duplicates: number;
  latencyMs: LatencySummary;
  /** % of one core: the contender's servers (and its Redis), and the load clients. */
  serverCpuPercent: number;
  redisCpuPercent: number;
  clientCpuPercent: number;
  /**
   * CPU time per delivery in µs (CPU seconds over the window ÷ deliveries in it): the servers
   * together, and their Redis (null without Redis, or with nothing delivered). Absent from
   * results written before it was measured.
   */
  serverCpuMicrosPerDelivery?: number | null;
  redisCpuMicrosPerDelivery?: number | null;
  /**
   * Redis commands the contender issued per published message, a script's inner commands
   * included, over every node that serves commands (null without Redis).
   */
  redisCommandsPerMessage: number | null;
  /**
   * Redis Cluster only: each master's work in the measured window, in slot order. Absent for
   * a single node, and from results written before it was measured.
   */
  shards?: ShardWork[];
  loadAverage: number;
  /** CPU other processes on the machine used during the window (% of one core). */
  foreignCpuPercent: number;
  /** Measurements of this step (a noisy one is repeated, the quietest kept). */
  attempts: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
}

/** One master of a Redis Cluster during a fanout step's measured window. */
export interface ShardWork {
  /** The slot ranges it serves (inclusive), which name it in the report. */
  slotRanges: Array<[number, number]>;
  /** The workload's rooms (conversations) whose keys and channel live in its slots. */
  rooms: number;
  /** What it holds that every message touches, whatever its room (the platform-wide inbox). */
  holds: string[];
  /** The window the figures cover, in seconds. */
  windowSeconds: number;
  /** Commands it ran (`INFO commandstats`), a script's inner commands included. */
  commands: number;
  /** `used_cpu_sys + used_cpu_user` over the window, in % of one core. */
  cpuPercent: number;
  /** The commands it ran most, name → calls. */
  topCommands: Record<string, number>;
}

export interface FanoutResult {
  contender: ContenderName;
  instances: number;
  sockets: number;
  connectMs: number;
  steps: FanoutStep[];
  /** Highest delivered rate among steps with p99 ≤ 100 ms and nothing missing. */
  bestDeliveredRate: number;
  bestStep: FanoutStep | null;
  stoppedBecause: string;
}

export interface CapacityStep {
  sockets: number;
  connected: number;
  rssBytes: number;
  heapUsedBytes: number;
  connectPerSecond: number;
}

export interface CapacityResult {
  contender: ContenderName;
  baseline: { rssBytes: number; heapUsedBytes: number };
  steps: CapacityStep[];
  reached: number;
  rssPerSocketBytes: number;
  heapPerSocketBytes: number;
  heartbeat: {
    intervalMs: number;
    windowMs: number;
    serverCpuPercent: number;
    redisCpuPercent: number;
    /** Server CPU ms per heartbeat round per 1,000 sockets. */
    cpuMsPerRoundPer1k: number;
    socketsLost: number;
  };
  errors: string[];
}

export interface StormResult {
  contender: ContenderName;
  sockets: number;
  /** Sockets that lost their connection when the instance was killed. */
  disconnected: number;
  resumed: number;
  /** From the SIGKILL until the last of them was back and resumed (ms), null when some never did. */
  allResumedMs: number | null;
  resumeMs: { p50: number; p99: number; max: number };
  sent: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /**
   * Dropped sockets whose session the server restored when they reconnected (socket.io's
   * connection state recovery); null for the API, which resumes in its subscribe (`since`).
   * Absent from results written before it was counted.
   */
  recovered?: number | null;
  /** API only: messages that arrived after a later seq (ordering or a hole). */
  seqGaps: number;
  reconnectAttempts: number;
  /** Why reconnect attempts failed before one succeeded. */
  reconnectFailures: Record<string, number>;
  /** Messages per second the writers sent (all rooms). */
  rate: number;
  errors: Record<string, number>;
  note?: string;
}

export interface HttpPathResult {
  target: 'direct' | 'web proxy';
  url: string;
  sequential: LatencySummary;
  load: { concurrency: number; postsPerSecond: number; latencyMs: LatencySummary; errors: number };
  /** Responses by HTTP status (both phases). */
  statuses: Record<string, number>;
}

export interface HttpResult {
  paths: HttpPathResult[];
  /** p50 of the web proxy minus p50 direct, sequential posts (ms). */
  proxyOverheadP50Ms: number | null;
  note?: string;
}

/** The scale workload's measurements, each for the staff member and for the customer. */
export type ScaleFigureName =
  | 'list'
  | 'list-later'
  | 'list-unread'
  | 'search-ref'
  | 'search-name'
  | 'unread'
  | 'ready'
  | 'post';
export type ScaleViewer = 'staff' | 'customer';

export interface ScaleFigure {
  figure: ScaleFigureName;
  viewer: ScaleViewer;
  /** What was sent, e.g. `GET /api/chat/conversations?scope=all&limit=30`. */
  request: string;
  latencyMs: LatencySummary;
  /** Body bytes of the largest answer (for `ready`: of the frame). */
  bytes: number;
  /** Threads on the page (listings and searches), else null. */
  threads: number | null;
  /** Answers by HTTP status (`ready`: by first frame). */
  statuses: Record<string, number>;
}

/** What one viewer's listings, searches and counts held at one size, against the recipe. */
export interface ScaleChecks {
  viewer: ScaleViewer;
  /** The whole listing paged 100 at a time: threads listed, distinct, and visible. */
  listing: { pages: number; listed: number; distinct: number; expected: number };
  /** `unread=true` paged to the end: threads listed, distinct, expected, and listed but not expected. */
  unreadListing: { listed: number; distinct: number; expected: number; unexpected: number };
  /** `GET /api/chat/unread` against the recipe: totals, threads, and threads with a wrong count. */
  unread: {
    total: number;
    expectedTotal: number;
    threads: number;
    expectedThreads: number;
    wrong: number;
  };
  /** Each search paged to the end: pages, threads found (all expected), expected, on page 1. */
  searches: Array<{
    figure: 'search-ref' | 'search-name';
    query: string;
    pages: number;
    found: number;
    expected: number;
    unexpected: number;
    firstPage: number;
  }>;
}

export interface ScaleBuild {
  /** Made through the API in this run (grown from the size before), or loaded from bench/.cache/. */
  source: 'built' | 'cache';
  /** Wall time to make (or load) this size. */
  seconds: number;
  /** Requests this size's growth sent: booking upserts, message posts, reads. */
  bookings: number;
  posts: number;
  reads: number;
}

export interface ScaleStep {
  threads: number;
  build: ScaleBuild;
  /** Redis `used_memory` once this size was made. */
  redisMemoryBytes: number;
  checks: ScaleChecks[];
  figures: ScaleFigure[];
  loadAverage: number;
  /** CPU other processes on the machine used while the figures were measured (% of one core). */
  foreignCpuPercent: number;
}

export interface ScaleResult {
  /** The search queries: a booking ref prefix and a colleague's name. */
  queries: { ref: string; name: string };
  steps: ScaleStep[];
}

export interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
}

export interface BenchResults {
  schemaVersion: 1;
  profile: ProfileName;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: {
    cpuModel: string;
    cores: number;
    memoryGiB: number;
    os: string;
    kernel: string;
    fileDescriptorLimit: string;
    loadAverageBefore: [number, number, number];
    loadAverageAfter: [number, number, number];
  };
  versions: Record<string, string>;
  clock: { method: string; maxSkewMs: number };
  parameters: Profile;
  contenders: Array<{ name: ContenderName; label: string; description: string }>;
  fanout: FanoutResult[];
  capacity: CapacityResult[];
  storm: StormResult[];
  http: HttpResult | null;
  /** Absent from results written before the scale workload existed. */
  scale?: ScaleResult | null;
  targets: Target[];
  notes: string[];
}
