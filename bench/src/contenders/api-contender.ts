import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GATEWAY_PATH, SESSION_COOKIE } from '@chat/protocol';
import { freePort, redisCli, RedisCluster } from '@chat/test-support';
import { BENCH_ROOT } from '../paths';
import { trackPids } from '../infra/children';
import { RedisServer } from '../infra/redis-server';
import { ServerProcess } from '../infra/server-process';
import { type Profile } from '../profiles';
import { type Progress, runLimited } from '../progress';
import {
  BENCH_ORIGIN,
  type Contender,
  type ContenderRedis,
  type ContenderWorkload,
  type Deployment,
  type DeployOptions,
} from './contender';

/** The built API; `BENCH_API_ENTRY` points the harness at another build (a clean checkout). */
export const API_ENTRY =
  process.env.BENCH_API_ENTRY ??
  join(dirname(require.resolve('@chat/api/package.json')), 'dist/main.js');
const INTERNAL_TOKEN = 'bench-internal-token-0123456789';
const PASSWORD = 'bench-password-1';
const COUNTRY = 'VN';
/** The capacity workload's largest step, spread over every user's sessions. */
const SETUP_CONCURRENCY = 8;

/** A request that must answer one of `expect` (200 or 201 unless told). */
export async function call(
  url: string,
  init: RequestInit & { expect?: number[] },
): Promise<Response> {
  const response = await fetch(url, init);
  const expected = init.expect ?? [200, 201];
  if (!expected.includes(response.status)) {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  }
  return response;
}

/** Signs in at the API under `base` (…/api) and returns the session id. */
export async function login(base: string, email: string, password: string): Promise<string> {
  const response = await call(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = response.headers
    .getSetCookie()
    .find((line) => line.startsWith(`${SESSION_COOKIE}=`));
  const session = cookie?.slice(SESSION_COOKIE.length + 1).split(';')[0];
  if (!session) throw new Error('login did not set a session cookie');
  return decodeURIComponent(session);
}

/** Where the API keeps its data: one Redis node, or a Redis Cluster. */
export type ApiTopology = 'node' | 'cluster';

const VARIANTS = {
  node: {
    name: 'api',
    label: 'this API',
    description:
      'This API (`apps/api/dist/main.js`, NODE_ENV=production): bearer-session handshake, access check and auto-join on subscribe, the message rate limit taken for every message (set too high to refuse any), every message appended to the Redis log (gapless seq, idempotency) and published to its room by the same script, per-room Redis pub/sub to the replicas, unread updates to every participant.',
    workloads: undefined,
  },
  cluster: {
    name: 'api-cluster',
    label: 'this API on Redis Cluster',
    description:
      'The same API and data on a Redis Cluster (`REDIS_CLUSTER_NODES`): 3 masters with a replica each, every node with AOF and `appendfsync always`, `REDIS_MIN_REPLICAS_ACK=0` as by default. The data set is the one the single node holds, moved in with `redis-cli --cluster import`; each conversation and each user lives on the master of its hash slot, the platform-wide inbox on one. Fanout only.',
    workloads: ['fanout'],
  },
} as const satisfies Record<
  ApiTopology,
  {
    name: string;
    label: string;
    description: string;
    workloads: readonly ContenderWorkload[] | undefined;
  }
>;

/**
 * This API as it ships: the built `dist/main.js`, Redis engine, sessions, access checks and
 * persistence on. Users are country-scoped staff, so every member may open every benchmark
 * thread (opening it joins them, as the product does); one thread per room. On a Cluster the
 * same data set is made on a single node first (or taken from the cache) and imported.
 */
export class ApiContender implements Contender {
  readonly name: 'api' | 'api-cluster';
  readonly label: string;
  readonly description: string;
  readonly kind = 'api' as const;
  readonly maxInstances = 2;
  readonly workloads: readonly ContenderWorkload[] | undefined;
  private node: RedisServer | null = null;
  private cluster: RedisCluster | null = null;
  private forgetCluster: (() => void) | null = null;
  private clusterMasterPorts: number[] = [];
  private sessions: string[] = [];
  private socketsPerUser = 1;
  private membersPerRoom = 1;
  private maxSocketsPerUser = 10;

  constructor(readonly topology: ApiTopology = 'node') {
    ({
      name: this.name,
      label: this.label,
      description: this.description,
      workloads: this.workloads,
    } = VARIANTS[topology]);
  }

  async setUp(profile: Profile, progress: Progress): Promise<void> {
    await this.setUpNode(profile, progress);
    if (this.topology === 'cluster') await this.moveToCluster(progress);
  }

  /** The data set on one node: from the fixture cache when it works with this build, else made. */
  private async setUpNode(profile: Profile, progress: Progress): Promise<void> {
    if (!existsSync(API_ENTRY)) {
      throw new Error(
        `${API_ENTRY} is missing: build the API first (pnpm --filter @chat/api build)`,
      );
    }
    this.socketsPerUser = profile.socketsPerUser;
    const rooms = Math.max(profile.fanout.rooms, profile.storm.rooms);
    this.membersPerRoom = Math.max(profile.fanout.membersPerRoom, profile.storm.membersPerRoom);
    const users = Math.ceil((rooms * this.membersPerRoom) / this.socketsPerUser);
    const idle = profile.capacity.steps.at(-1) ?? 0;
    // Room members, the storm's writer (a second socket of member 0), and the capacity sockets.
    this.maxSocketsPerUser = Math.max(10, this.socketsPerUser + 2, Math.ceil(idle / users) + 1);

    const cache = fixtureCache({
      users,
      rooms,
      membersPerRoom: this.membersPerRoom,
      socketsPerUser: this.socketsPerUser,
    });
    if (cache && existsSync(cache.snapshot) && existsSync(cache.sessions)) {
      this.node = await RedisServer.start({ fromSnapshot: cache.snapshot });
      this.sessions = JSON.parse(readFileSync(cache.sessions, 'utf8')) as string[];
      if (await this.fixtureWorks(rooms)) {
        progress.log(
          `${this.name} setup: ${users} users and sessions from the fixture cache (${cache.directory})`,
        );
        return;
      }
      progress.log(
        `${this.name} setup: the cached fixture does not work with this build; making it again`,
      );
      await this.node.dispose();
    }
    this.node = await RedisServer.start();
    await this.createFixture(users, rooms, progress);
    if (cache) {
      mkdirSync(cache.directory, { recursive: true });
      await this.node.snapshot(cache.snapshot);
      writeFileSync(cache.sessions, JSON.stringify(this.sessions));
    }
  }

  /**
   * Starts a Cluster (3 masters, a replica each) and moves the single node's data into it with
   * `redis-cli --cluster import`, as docs/DEPLOYMENT.md moves a single node's data: the key
   * layout is the same in every mode.
   */
  private async moveToCluster(progress: Progress): Promise<void> {
    const node = this.node!;
    progress.update(`${this.label} setup: starting a Cluster of 3 masters and 3 replicas`);
    const started = Date.now();
    // A node timeout as Redis ships it: on a loaded machine a 1 s one fails masters over.
    const cluster = await RedisCluster.start({
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs: 15_000,
    });
    this.cluster = cluster;
    this.forgetCluster = trackPids(() => cluster.pids());
    const target = `127.0.0.1:${cluster.nodes[0]!.port}`;
    progress.update(`${this.label} setup: importing the data set into the Cluster`);
    await redisCli(
      cluster.nodes[0]!.port,
      cluster.password,
      [
        '--cluster',
        'import',
        target,
        '--cluster-from',
        `127.0.0.1:${node.port}`,
        '--cluster-from-pass',
        node.password,
      ],
      10 * 60_000,
    );
    await cluster.waitHealthy();
    this.clusterMasterPorts = (await cluster.masters()).map((master) => master.port);
    await node.dispose();
    this.node = null;
    progress.log(
      `${this.label} setup: Cluster of ${cluster.nodes.length} nodes holding the data set in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }

  /** A cached fixture is used only if its sessions and threads answer as expected. */
  private async fixtureWorks(rooms: number): Promise<boolean> {
    const deployment = await this.deployOn(this.node!, {
      instances: 1,
      heartbeatMs: 25_000,
      inspect: false,
    });
    try {
      const base = `http://127.0.0.1:${deployment.servers[0]!.port}/api`;
      const probes = [
        { session: this.sessions[0], path: '/auth/me' },
        { session: this.sessions.at(-1), path: '/auth/me' },
        {
          session: this.memberCredential(rooms - 1, 0),
          path: `/chat/conversations/${this.room(rooms - 1)}`,
        },
      ];
      for (const probe of probes) {
        const response = await fetch(`${base}${probe.path}`, {
          headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(probe.session ?? '')}` },
        });
        if (response.status !== 200) return false;
      }
      return true;
    } finally {
      await deployment.stop();
    }
  }

  /** Users (country-scoped staff), one booking thread per room, one session per user. */
  private async createFixture(users: number, rooms: number, progress: Progress): Promise<void> {
    const deployment = await this.deployOn(this.node!, {
      instances: 2,
      heartbeatMs: 25_000,
      inspect: false,
    });
    try {
      const bases = deployment.servers.map((server) => `http://127.0.0.1:${server.port}/api`);
      const base = (index: number) => bases[index % bases.length]!;
      const headers = {
        authorization: `Bearer ${INTERNAL_TOKEN}`,
        'content-type': 'application/json',
      };
      const started = Date.now();
      const eta = (done: number, total: number) =>
        done > 0
          ? `, about ${Math.round((((Date.now() - started) / done) * (total - done)) / 1000)} s left`
          : '';
      await runLimited(
        users,
        SETUP_CONCURRENCY,
        (user) =>
          call(`${base(user)}/internal/users/${userId(user)}`, {
            method: 'PUT',
            headers,
            body: JSON.stringify({
              email: `bench${user}@bench.test`,
              name: `Bench user ${user}`,
              handle: `bench_${user}`,
              role: 'staff',
              country: COUNTRY,
              password: PASSWORD,
            }),
          }),
        (done) =>
          progress.update(
            `${this.name} setup: users ${done}/${users} (password hashes${eta(done, users * 2)})`,
          ),
      );
      await runLimited(rooms, SETUP_CONCURRENCY, async (room) => {
        const response = await call(`${base(room)}/internal/bookings/bench_b${room}`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({
            ref: `BENCH-${room}`,
            country: COUNTRY,
            creatorId: userId(this.userOf(room, 0)),
            managerId: userId(this.userOf(room, 1 % this.membersPerRoom)),
          }),
        });
        const { conversationId } = (await response.json()) as { conversationId: string };
        if (conversationId !== this.room(room)) {
          throw new Error(`expected thread ${this.room(room)}, got ${conversationId}`);
        }
      });
      this.sessions = await runLimited(
        users,
        SETUP_CONCURRENCY,
        (user) => login(base(user), `bench${user}@bench.test`, PASSWORD),
        (done) =>
          progress.update(
            `${this.name} setup: logins ${done}/${users}${eta(users + done, users * 2)}`,
          ),
      );
      progress.log(
        `${this.name} setup: ${users} users, ${rooms} threads, ${users} sessions in ${Math.round((Date.now() - started) / 1000)} s`,
      );
    } finally {
      await deployment.stop();
    }
  }

  private userOf(room: number, member: number): number {
    return Math.floor((room * this.membersPerRoom + member) / this.socketsPerUser);
  }

  async deploy(options: DeployOptions): Promise<Deployment> {
    const redis = this.cluster ?? this.node;
    if (!redis) throw new Error('set up first');
    return this.deployOn(redis, options);
  }

  private deployOn(redis: RedisServer | RedisCluster, options: DeployOptions): Promise<Deployment> {
    return deployApi(redis, { ...options, maxSocketsPerUser: this.maxSocketsPerUser });
  }

  room(index: number): string {
    return `th_bench_b${index}`;
  }

  memberCredential(room: number, member: number): string | undefined {
    return this.sessions[this.userOf(room, member)];
  }

  writerCredential(room: number): string | undefined {
    return this.memberCredential(room, 0);
  }

  idleCredential(index: number): string | undefined {
    return this.sessions[index % this.sessions.length];
  }

  /** A session and its room, for the HTTP workload. */
  httpUser(): { session: string; conversationId: string } {
    return { session: this.sessions[0] ?? '', conversationId: this.room(0) };
  }

  redis(): ContenderRedis | null {
    if (this.cluster) {
      const password = encodeURIComponent(this.cluster.password ?? '');
      return {
        topology: 'cluster',
        urls: this.clusterMasterPorts.map((port) => `redis://:${password}@127.0.0.1:${port}`),
        // Every key of a conversation carries its tag (decision 0019), and its room is named so.
        roomKey: (room) => `{conversation:${room}}`,
        sharedKeys: { 'the platform-wide inbox': '{inbox}' },
      };
    }
    return this.node ? { topology: 'node', urls: [this.node.url] } : null;
  }

  helperPids(): number[] {
    if (this.cluster) return this.cluster.pids();
    return this.node?.pid ? [this.node.pid] : [];
  }

  async tearDown(): Promise<void> {
    await this.node?.dispose();
    this.node = null;
    await this.cluster?.dispose();
    this.cluster = null;
    this.forgetCluster?.();
    this.forgetCluster = null;
  }
}

/**
 * API instances on `redis`, configured as the benchmark runs them: production mode, every
 * protection on, the limits that one load address would hit raised.
 */
export async function deployApi(
  redis: RedisServer | RedisCluster,
  options: DeployOptions & { maxSocketsPerUser: number },
): Promise<Deployment> {
  const { environment: redisEnvironment, pids: redisPids } = apiRedis(redis);
  const servers: ServerProcess[] = [];
  const inspectPorts: Array<number | null> = [];
  for (let instance = 0; instance < options.instances; instance++) {
    const port = await freePort();
    const inspectPort = options.inspect ? await freePort() : null;
    inspectPorts.push(inspectPort);
    servers.push(
      await ServerProcess.start({
        label: `api #${instance + 1}`,
        entry: API_ENTRY,
        port,
        environment: {
          NODE_ENV: 'production',
          ...redisEnvironment,
          // Each instance's metrics listener on a port of its own.
          METRICS_PORT: String(await freePort()),
          INTERNAL_API_TOKEN: INTERNAL_TOKEN,
          ALLOWED_ORIGINS: BENCH_ORIGIN,
          DEMO_SEED: 'false',
          LOG_LEVEL: 'warn',
          WS_HEARTBEAT_MS: String(options.heartbeatMs),
          WS_MAX_SOCKETS_PER_USER: String(options.maxSocketsPerUser),
          // Load from one address: the upgrade limit per address would be the bottleneck.
          WS_CONNECT_RATE_PER_IP: '0',
          // Thousands of users sign in from this one address while the fixture is made.
          LOGIN_RATE_PER_IP: '0',
          // The message limit stays on, so every post pays for its counter as in production,
          // but so high that the HTTP workload's few writers never reach it.
          MESSAGE_RATE_PER_USER: '1000000',
        },
        readyPath: '/api/health/ready',
        nodeArguments: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
      }),
    );
  }
  return {
    endpoints: servers.map((server) => `ws://127.0.0.1:${server.port}${GATEWAY_PATH}`),
    servers,
    inspectPorts,
    pids: () => [...servers.map((server) => server.pid), ...redisPids()],
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

/** What tells the API where its Redis is, and the processes of that Redis. */
function apiRedis(redis: RedisServer | RedisCluster): {
  environment: Record<string, string>;
  pids: () => number[];
} {
  if (redis instanceof RedisCluster) {
    return {
      environment: {
        REDIS_CLUSTER_NODES: redis.nodesSetting,
        ...(redis.password === null ? {} : { REDIS_PASSWORD: redis.password }),
      },
      pids: () => redis.pids(),
    };
  }
  return { environment: { REDIS_URL: redis.url }, pids: () => (redis.pid ? [redis.pid] : []) };
}

/**
 * Where the set-up data (a Redis snapshot and the session ids) of a fixture shape is kept, so a
 * second full run does not spend ten minutes hashing passwords again. Keyed by the Redis key
 * layout of the API (redis-keys.ts), the shape and the Redis version; a cached fixture is also
 * probed before use (see fixtureWorks), so a build that reads it differently makes a new one.
 * No cache while the key layout has uncommitted changes.
 */
function fixtureCache(
  shape: Record<string, number>,
): { directory: string; snapshot: string; sessions: string } | null {
  try {
    const options = { encoding: 'utf8' as const, cwd: dirname(API_ENTRY) };
    const dirty = execFileSync('git', ['status', '--porcelain', '--', `:/${KEY_LAYOUT}`], options);
    if (dirty.trim()) return null;
    const layout = execFileSync('git', ['rev-parse', `HEAD:${KEY_LAYOUT}`], options).trim();
    const key = createHash('sha256')
      .update(JSON.stringify({ layout, shape, PASSWORD, redis: RedisServer.version() }))
      .digest('hex')
      .slice(0, 16);
    const directory = join(BENCH_ROOT, '.cache', `api-fixture-${key}`);
    return {
      directory,
      snapshot: join(directory, 'dump.rdb'),
      sessions: join(directory, 'sessions.json'),
    };
  } catch {
    return null;
  }
}

const KEY_LAYOUT = 'apps/api/src/infra/redis/redis-keys.ts';

function userId(index: number): string {
  return `bench_u${index}`;
}

export { INTERNAL_TOKEN };
