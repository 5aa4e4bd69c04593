import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { DEFAULT_API_PORT, type Engine } from '@chat/protocol';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

// Explicit words only: `Boolean('false')` is true, which is how flags get silently inverted.
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.url({ protocol: /^https?$/ }).refine((origin) => new URL(origin).origin === origin, {
        message:
          'must be a bare origin such as https://app.example.com (no path or trailing slash)',
      }),
    ),
  );

/** Whose `X-Forwarded-For` is believed: the nearest `hops` peers, or peers at these addresses. */
export type TrustedProxies = { hops: number } | { addresses: string[] };

// `2`: that many hops; else addresses, CIDRs and proxy-addr's names (loopback, linklocal,
// uniquelocal), as Express's `trust proxy` takes them.
const trustedProxies = z.string().transform((value, context): TrustedProxies => {
  if (/^\d+$/.test(value.trim())) return { hops: Number(value) };
  const addresses = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(addresses);
  } catch (error) {
    context.addIssue({
      code: 'custom',
      message: `${(error as Error).message}: give a hop count, or addresses and CIDRs (loopback, linklocal and uniquelocal stand for their ranges)`,
    });
    return z.NEVER;
  }
  return { addresses };
});

/** `host:port`, or `[ipv6]:port`. */
export interface RedisEndpoint {
  host: string;
  port: number;
}

const endpointList = z.string().transform((value, context): RedisEndpoint[] => {
  const endpoints: RedisEndpoint[] = [];
  for (const entry of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      context.addIssue({
        code: 'custom',
        message: `"${entry}" is not host:port (an IPv6 address goes in brackets: [::1]:6379)`,
      });
      continue;
    }
    endpoints.push({ host: match[1] ?? match[2]!, port });
  }
  if (!endpoints.length && !context.issues.length)
    context.addIssue({ code: 'custom', message: 'lists no host:port' });
  return endpoints;
});

/**
 * Every environment variable the API reads. Values marked secret are never logged.
 */
export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** @default 3002 */
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_API_PORT),
  /** Secret: may carry a password. Takes precedence over REDIS_HOST. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_HOST: z.string().min(1).optional(),
  /** @default 6379 */
  REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  /** Secret: the data nodes' password (single node with REDIS_HOST, Sentinel, Cluster). */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** The data nodes' ACL user, with REDIS_PASSWORD. @default the default user */
  REDIS_USERNAME: z.string().min(1).optional(),
  /** Sentinel mode: `host:port,…` of the sentinels; needs REDIS_SENTINEL_MASTER. */
  REDIS_SENTINELS: endpointList.optional(),
  /** Sentinel mode: the name the sentinels monitor the master under. */
  REDIS_SENTINEL_MASTER: z.string().min(1).optional(),
  /** Secret: what the sentinels themselves ask for (`requirepass` in sentinel.conf). */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** The sentinels' ACL user, with REDIS_SENTINEL_PASSWORD. @default the default user */
  REDIS_SENTINEL_USERNAME: z.string().min(1).optional(),
  /** Cluster mode: `host:port,…` of some of the cluster's nodes (the rest are discovered). */
  REDIS_CLUSTER_NODES: endpointList.optional(),
  /**
   * Replicas that must have a message before its post is acknowledged (`WAIT`); 0: the master's
   * answer is enough. @default 0
   */
  REDIS_MIN_REPLICAS_ACK: z.coerce.number().int().min(0).max(16).default(0),
  /**
   * How long a post waits for those replicas before it fails with 503 (below the 3 s after which
   * a silent connection counts as dead). @default 1000
   */
  REDIS_REPLICA_ACK_TIMEOUT_MS: z.coerce.number().int().min(10).max(2_500).default(1_000),
  /** Comma-separated exact origins of the web app: the WebSocket and state-changing requests. */
  ALLOWED_ORIGINS: originList.optional(),
  /**
   * Proxies whose `X-Forwarded-For` names the client: a hop count, or addresses and CIDRs.
   * @default loopback
   */
  TRUSTED_PROXIES: trustedProxies.optional(),
  /**
   * Secret: when set, `X-Forwarded-For` counts only on requests that also carry
   * `X-Trusted-Proxy-Secret` with this value (added by the edge), whatever their peer.
   */
  TRUSTED_PROXY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The Prometheus listener's port (0: any free port). @default 9464 */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * Where the Prometheus listener binds: an address, or a name whose addresses include one of
   * this machine's (a network alias). @default 127.0.0.1
   */
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** Secret: bearer token for /api/internal/*. Unset, those routes answer 404. */
  INTERNAL_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** @default true with the embedded engine, false with Redis */
  DEMO_SEED: booleanFlag.optional(),
  /**
   * With the demo data (DEMO_SEED): forty more bookings across VN and TH with their conversations,
   * unread states and notifications; `pnpm dev` turns it on. Ignored without DEMO_SEED. @default false
   */
  DEMO_HISTORY: booleanFlag.default(false),
  /** @default 30 */
  PRESENCE_TTL_SECONDS: seconds(2, 3600).default(30),
  /** @default 6 */
  TYPING_TTL_SECONDS: seconds(1, 60).default(6),
  /** @default 25000 */
  WS_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(25_000),
  /** How long a SIGTERM drain may take before the process exits anyway. @default 8000 */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(500).max(600_000).default(8_000),
  /** Open sockets one user may hold across all replicas. @default 20 */
  WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Bytes a socket may have queued unsent before it is closed with 1013. @default 1048576 */
  WS_SEND_BUFFER_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(1024 * 1024),
  /** WebSocket upgrades one client address may make per 10 s, across replicas; 0: no limit. @default 100 */
  WS_CONNECT_RATE_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(100),
  /** Messages one user may post per 10 s, HTTP and WebSocket, across replicas; 0: no limit. @default 60 */
  MESSAGE_RATE_PER_USER: z.coerce.number().int().min(0).max(1_000_000).default(60),
  /** Login attempts one client address may make per minute, across replicas; 0: no limit. @default 10 */
  LOGIN_RATE_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** Login attempts on one account (email) per 15 minutes, across replicas; 0: no limit. @default 10 */
  LOGIN_RATE_PER_ACCOUNT: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** Most messages a `subscribe {since}` replays; a larger gap answers `recovered:false`. @default 500 */
  WS_REPLAY_LIMIT: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * Messages one user may have replayed by `subscribe {since}` per 10 s, across replicas (0: no
   * limit): room for all 20 sockets of a user to resume a full replay at once. @default 10000
   */
  WS_REPLAY_BUDGET_PER_USER: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  /** Absolute session lifetime, however active. @default 2592000 (30 days) */
  SESSION_TTL_SECONDS: seconds(60, 365 * 24 * 3600).default(30 * 24 * 3600),
  /** A session unused for this long ends. @default 604800 (7 days) */
  SESSION_IDLE_TIMEOUT_SECONDS: seconds(5, 365 * 24 * 3600).default(7 * 24 * 3600),
  /** @default 'info' */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** `auto`: readable lines on a terminal outside production, JSON lines otherwise. @default 'auto' */
  LOG_FORMAT: z.enum(LOG_FORMATS).default('auto'),
});

type Environment = Record<string, string>;

// Rules across variables. They read the raw values so they are reported together with
// per-variable problems instead of only once those are fixed.
function crossVariableProblems(env: Environment): string[] {
  const problems = [...sessionProblems(env), ...redisProblems(env)];
  if (env.NODE_ENV !== 'production') return problems;
  if (!redisMode(env)) {
    problems.push(
      'REDIS_URL: a Redis is required when NODE_ENV=production (REDIS_URL or REDIS_HOST, REDIS_SENTINELS, or REDIS_CLUSTER_NODES): the embedded engine keeps state in one process and cannot serve replicas',
    );
  }
  if (!env.ALLOWED_ORIGINS) {
    problems.push(
      'ALLOWED_ORIGINS: is required when NODE_ENV=production (for example https://chat.example.com)',
    );
  }
  if (redisMode(env) && !redisCredentialsGiven(env)) {
    problems.push(
      redisMode(env) === 'single'
        ? 'REDIS_URL: Redis holds the sessions; when NODE_ENV=production it must ask for a password (redis://:password@host:6379, or REDIS_PASSWORD with REDIS_HOST)'
        : 'REDIS_PASSWORD: Redis holds the sessions; when NODE_ENV=production its nodes must ask for a password',
    );
  }
  if (redisMode(env) === 'sentinel' && !env.REDIS_SENTINEL_PASSWORD) {
    problems.push(
      'REDIS_SENTINEL_PASSWORD: when NODE_ENV=production the sentinels must ask for a password too (an open sentinel can be told to fail over, or to hand out another master)',
    );
  }
  if (env.DEMO_SEED && /^(true|1|yes)$/.test(env.DEMO_SEED)) {
    problems.push(
      'DEMO_SEED: is refused when NODE_ENV=production: the demo accounts share a published password (admins among them)',
    );
  }
  return problems;
}

function redisCredentialsGiven(env: Environment): boolean {
  if (env.REDIS_URL) {
    try {
      return new URL(env.REDIS_URL).password !== '';
    } catch {
      return true; // reported by the schema
    }
  }
  return Boolean(env.REDIS_PASSWORD);
}

function sessionProblems(env: Environment): string[] {
  const idle = Number(env.SESSION_IDLE_TIMEOUT_SECONDS ?? 7 * 24 * 3600);
  const absolute = Number(env.SESSION_TTL_SECONDS ?? 30 * 24 * 3600);
  return idle > absolute
    ? ['SESSION_IDLE_TIMEOUT_SECONDS: must not be longer than SESSION_TTL_SECONDS']
    : [];
}

type RedisMode = RedisConnectionOptions['mode'];

/** The modes the environment asks for: a single node, Sentinel, Cluster (at most one is valid). */
function requestedRedisModes(env: Environment): RedisMode[] {
  const modes: RedisMode[] = [];
  if (env.REDIS_URL || env.REDIS_HOST) modes.push('single');
  if (env.REDIS_SENTINELS || env.REDIS_SENTINEL_MASTER) modes.push('sentinel');
  if (env.REDIS_CLUSTER_NODES) modes.push('cluster');
  return modes;
}

function redisMode(env: Environment): RedisMode | null {
  return requestedRedisModes(env)[0] ?? null;
}

function redisProblems(env: Environment): string[] {
  const problems: string[] = [];
  const modes = requestedRedisModes(env);
  if (modes.length > 1) {
    problems.push(
      `REDIS_URL: choose one way to reach Redis: a single node (REDIS_URL or REDIS_HOST), Sentinel (REDIS_SENTINELS and REDIS_SENTINEL_MASTER) or Cluster (REDIS_CLUSTER_NODES); ${modes.join(', ')} are all set`,
    );
  }
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_MASTER) {
    problems.push(
      'REDIS_SENTINEL_MASTER: is required with REDIS_SENTINELS (the name the sentinels monitor, as in `sentinel monitor <name> …`)',
    );
  }
  if (env.REDIS_SENTINEL_MASTER && !env.REDIS_SENTINELS) {
    problems.push('REDIS_SENTINELS: is required with REDIS_SENTINEL_MASTER (host:port,…)');
  }
  if ((env.REDIS_SENTINEL_PASSWORD || env.REDIS_SENTINEL_USERNAME) && !env.REDIS_SENTINELS) {
    problems.push('REDIS_SENTINEL_PASSWORD: only applies with REDIS_SENTINELS');
  }
  if (env.REDIS_USERNAME && !env.REDIS_PASSWORD) {
    problems.push('REDIS_PASSWORD: is required with REDIS_USERNAME');
  }
  if (env.REDIS_SENTINEL_USERNAME && !env.REDIS_SENTINEL_PASSWORD) {
    problems.push('REDIS_SENTINEL_PASSWORD: is required with REDIS_SENTINEL_USERNAME');
  }
  if (env.REDIS_MIN_REPLICAS_ACK && Number(env.REDIS_MIN_REPLICAS_ACK) > 0 && !modes.length) {
    problems.push(
      'REDIS_MIN_REPLICAS_ACK: only applies with Redis (the embedded engine has no replicas)',
    );
  }
  return problems;
}

/** How to reach Redis, by mode; credentials are secrets. */
export type RedisConnectionOptions =
  | { mode: 'single'; url: string }
  | {
      mode: 'single';
      host: string;
      port: number;
      username: string | undefined;
      password: string | undefined;
    }
  | {
      mode: 'sentinel';
      sentinels: RedisEndpoint[];
      masterName: string;
      username: string | undefined;
      password: string | undefined;
      sentinelUsername: string | undefined;
      sentinelPassword: string | undefined;
    }
  | {
      mode: 'cluster';
      nodes: RedisEndpoint[];
      username: string | undefined;
      password: string | undefined;
    };

/** What "acknowledged" waits for beyond the master's answer (see REDIS_MIN_REPLICAS_ACK). */
export interface ReplicaAcknowledgement {
  /** Replicas that must have an appended message before its post is answered; 0: none. */
  replicas: number;
  timeoutMs: number;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  engine: Engine;
  redis: RedisConnectionOptions | null;
  replicaAck: ReplicaAcknowledgement;
  allowedOrigins: string[];
  trustedProxies: TrustedProxies;
  /** What the edge sends in `X-Trusted-Proxy-Secret`; null: forwarding headers need none. */
  trustedProxySecret: string | null;
  metrics: { host: string; port: number };
  internalApiToken: string | null;
  demoSeed: boolean;
  demoHistory: boolean;
  presenceTtlSeconds: number;
  typingTtlSeconds: number;
  wsHeartbeatMs: number;
  shutdownGraceMs: number;
  wsMaxSocketsPerUser: number;
  wsSendBufferLimitBytes: number;
  wsReplayLimit: number;
  /** Replayed messages per user per 10 s (0: no limit). */
  wsReplayBudgetPerUser: number;
  /** Upgrades per client address per 10 s (0: none). */
  wsConnectRatePerIp: number;
  /** Messages per user per 10 s (0: none). */
  messageRatePerUser: number;
  /** Login attempts per client address per minute (0: none). */
  loginRatePerIp: number;
  /** Login attempts per account per 15 minutes (0: none). */
  loginRatePerAccount: number;
  /** Absolute lifetime of a session. */
  sessionTtlSeconds: number;
  /** A session unused this long ends. */
  sessionIdleTimeoutSeconds: number;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: (typeof LOG_FORMATS)[number];
  /** Session cookies carry `Secure` in production. */
  secureCookies: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws a {@link ConfigError} listing every problem. */
export function loadConfig(environment: NodeJS.ProcessEnv): AppConfig {
  // An empty variable (`REDIS_URL=` in a compose file) means "unset", not "empty string".
  const present: Environment = Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
  const parsed = environmentSchema.safeParse(present);
  const problems = [
    ...(parsed.error?.issues ?? []).map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    ),
    ...crossVariableProblems(present),
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const env = parsed.data;
  const redis = redisConnection(env);
  const engine: Engine = redis ? 'redis' : 'memory';
  const production = env.NODE_ENV === 'production';
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    engine,
    redis,
    replicaAck: {
      replicas: env.REDIS_MIN_REPLICAS_ACK,
      timeoutMs: env.REDIS_REPLICA_ACK_TIMEOUT_MS,
    },
    allowedOrigins: env.ALLOWED_ORIGINS ?? (production ? [] : ['http://localhost:3100']),
    trustedProxies: env.TRUSTED_PROXIES ?? { addresses: ['loopback'] },
    trustedProxySecret: env.TRUSTED_PROXY_SECRET ?? null,
    metrics: { host: env.METRICS_HOST, port: env.METRICS_PORT },
    internalApiToken: env.INTERNAL_API_TOKEN ?? null,
    demoSeed: env.DEMO_SEED ?? engine === 'memory',
    demoHistory: env.DEMO_HISTORY && (env.DEMO_SEED ?? engine === 'memory'),
    presenceTtlSeconds: env.PRESENCE_TTL_SECONDS,
    typingTtlSeconds: env.TYPING_TTL_SECONDS,
    wsHeartbeatMs: env.WS_HEARTBEAT_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    wsMaxSocketsPerUser: env.WS_MAX_SOCKETS_PER_USER,
    wsSendBufferLimitBytes: env.WS_SEND_BUFFER_LIMIT_BYTES,
    wsReplayLimit: env.WS_REPLAY_LIMIT,
    wsReplayBudgetPerUser: env.WS_REPLAY_BUDGET_PER_USER,
    wsConnectRatePerIp: env.WS_CONNECT_RATE_PER_IP,
    messageRatePerUser: env.MESSAGE_RATE_PER_USER,
    loginRatePerIp: env.LOGIN_RATE_PER_IP,
    loginRatePerAccount: env.LOGIN_RATE_PER_ACCOUNT,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    sessionIdleTimeoutSeconds: env.SESSION_IDLE_TIMEOUT_SECONDS,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    secureCookies: production,
  };
}

function redisConnection(env: z.infer<typeof environmentSchema>): RedisConnectionOptions | null {
  const credentials = { username: env.REDIS_USERNAME, password: env.REDIS_PASSWORD };
  if (env.REDIS_URL) return { mode: 'single', url: env.REDIS_URL };
  if (env.REDIS_HOST)
    return { mode: 'single', host: env.REDIS_HOST, port: env.REDIS_PORT, ...credentials };
  if (env.REDIS_SENTINELS && env.REDIS_SENTINEL_MASTER)
    return {
      mode: 'sentinel',
      sentinels: env.REDIS_SENTINELS,
      masterName: env.REDIS_SENTINEL_MASTER,
      ...credentials,
      sentinelUsername: env.REDIS_SENTINEL_USERNAME,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    };
  if (env.REDIS_CLUSTER_NODES)
    return { mode: 'cluster', nodes: env.REDIS_CLUSTER_NODES, ...credentials };
  return null;
}
