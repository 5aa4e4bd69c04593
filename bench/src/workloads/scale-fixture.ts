import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Redis from 'ioredis';
import { SESSION_COOKIE } from '@chat/protocol';
import { API_ENTRY, call, deployApi, INTERNAL_TOKEN, login } from '../contenders/api-contender';
import { type Deployment } from '../contenders/contender';
import { RedisServer } from '../infra/redis-server';
import { BENCH_ROOT } from '../paths';
import { type ScaleParameters } from '../profiles';
import { type Progress, runLimited } from '../progress';
import { type ScaleBuild, type ScaleViewer } from '../results';

/**
 * The scale workload's data, as the platform makes it: bookings upserted through the internal
 * API (each makes its thread, with the customer as creator and the staff member as manager), and
 * a history of messages and reads posted by the users themselves. Everything about thread `i`
 * follows from `i`, so what every listing, search and count must show is known for any size.
 */

const PASSWORD = 'scale-password-1';
const COUNTRY = 'VN';
/** Bump when the recipe below changes: cached data sets of another recipe are not used. */
const RECIPE_VERSION = 1;

export type ScaleUser = ScaleViewer | 'colleague';

export const SCALE_USERS: Record<
  ScaleUser,
  { id: string; name: string; handle: string; role: 'staff' | 'customer' }
> = {
  staff: { id: 'scale_staff', name: 'Trần Minh Khoa', handle: 'khoa_tran', role: 'staff' },
  customer: {
    id: 'scale_customer',
    name: 'Nguyễn Thị Lan',
    handle: 'lan_nguyen',
    role: 'customer',
  },
  // Another staff member of the country, who wrote in one thread in 50 (and so joined it).
  colleague: { id: 'scale_colleague', name: 'Phạm Quốc Bảo', handle: 'bao_pham', role: 'staff' },
};

/** The thread the post figure writes into (it has no history of its own). */
export const POST_THREAD = 5;
/** Searches: a booking ref as shown (BK-100040 … BK-100049 start with it), and a name. */
export const SCALE_QUERIES = { ref: 'BK-10004', name: SCALE_USERS.colleague.name } as const;

/** The cookie header that carries `session`. */
export function sessionCookie(session: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(session)}`;
}

/** ", about N s left" from the pace so far. */
function remaining(startedAt: number, done: number, total: number): string {
  if (done === 0) return '';
  return `, about ${Math.round((((Date.now() - startedAt) / done) * (total - done)) / 1000)} s left`;
}

/**
 * {@link call} for the idempotent requests that make the data set (upserts, posts with a client
 * message id, reads), sent again when the connection failed: a kept-alive connection that the
 * server closes just as a request goes out is a race the client cannot avoid.
 */
async function send(url: string, init: Parameters<typeof call>[1]): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(url, init);
    } catch (error) {
      const networkError = error instanceof TypeError && error.message === 'fetch failed';
      if (!networkError || attempt === 3) throw error;
    }
  }
}

export function threadId(index: number): string {
  return `th_${bookingId(index)}`;
}

function bookingId(index: number): string {
  return `scale_b${index}`;
}

function bookingRef(index: number): string {
  return `BK-${100_000 + index}`;
}

interface Step {
  by: ScaleUser;
  action: 'post' | 'read';
}

/**
 * What happened in thread `index` after it was made. One in ten threads has a message from the
 * customer, which the staff member read in half of them; one in ten a message from the staff
 * member, read by the customer in half; one in fifty a message from the colleague, read by
 * nobody. Each viewer is left with unread messages in 7 % of the threads.
 */
export function historyOf(index: number): Step[] {
  if (index % 10 === 1) {
    const steps: Step[] = [{ by: 'customer', action: 'post' }];
    if (index % 20 === 1) steps.push({ by: 'staff', action: 'read' });
    return steps;
  }
  if (index % 10 === 2) {
    const steps: Step[] = [{ by: 'staff', action: 'post' }];
    if (index % 20 === 2) steps.push({ by: 'customer', action: 'read' });
    return steps;
  }
  if (index % 50 === 3) return [{ by: 'colleague', action: 'post' }];
  return [];
}

/** `viewer`'s unread count per thread among the first `threads` (non-zero counts only). */
export function expectedUnread(viewer: ScaleViewer, threads: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index < threads; index++) {
    const steps = historyOf(index);
    const fromOthers = steps.filter((step) => step.action === 'post' && step.by !== viewer);
    const read = steps.some((step) => step.action === 'read' && step.by === viewer);
    if (fromOthers.length && !read) counts.set(threadId(index), fromOthers.length);
  }
  return counts;
}

/** The threads among the first `threads` that a search must find (both viewers see them all). */
export function expectedMatches(query: keyof typeof SCALE_QUERIES, threads: number): Set<string> {
  const found = new Set<string>();
  for (let index = 0; index < threads; index++) {
    const matches =
      query === 'ref'
        ? bookingRef(index).startsWith(SCALE_QUERIES.ref)
        : historyOf(index).some((step) => step.by === 'colleague');
    if (matches) found.add(threadId(index));
  }
  return found;
}

const MESSAGE_BODIES: Record<ScaleUser, (ref: string) => string> = {
  customer: (ref) =>
    `Hi, could you confirm the airport pickup for ${ref}? We land at 14:20 with two suitcases. Thanks!`,
  staff: (ref) =>
    `Your pickup for ${ref} is confirmed: the driver will wait at the arrivals hall with a sign.`,
  colleague: (ref) =>
    `I checked ${ref} with the hotel: early check-in from 11:00 is fine, no extra charge.`,
};

/**
 * Where the data set of each size is kept: keyed by the built API code that decides what Redis
 * holds (its scripts and key layout, what a booking upsert writes, the search tokens), the
 * recipe and the Redis version. A build that writes differently gets a new one.
 */
function cacheDirectory(): string {
  const dist = dirname(API_ENTRY);
  const sources = [
    'infra/redis',
    'infra/engines/redis',
    'modules/bookings',
    'modules/chat/search-text.js',
    'modules/chat/conversation-indexer.js',
  ];
  const hash = createHash('sha256').update(
    JSON.stringify({ RECIPE_VERSION, redis: RedisServer.version(), PASSWORD }),
  );
  const files = sources.flatMap((source) => listJs(join(dist, source))).sort();
  if (!files.length) throw new Error(`no built API sources under ${dist}`);
  for (const file of files) hash.update(relative(dist, file)).update(readFileSync(file));
  return join(BENCH_ROOT, '.cache', `scale-${hash.digest('hex').slice(0, 16)}`);
}

function listJs(path: string): string[] {
  if (path.endsWith('.js')) return existsSync(path) ? [path] : [];
  if (!existsSync(path)) return [];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listJs(join(path, entry.name))
      : entry.name.endsWith('.js')
        ? [join(path, entry.name)]
        : [],
  );
}

const INSTANCES = 2;

/**
 * One Redis that grows from size to size, with two API instances on it (both make the threads;
 * the figures are measured on the first).
 */
export class ScaleFixture {
  private redis: RedisServer | null = null;
  private deployment: Deployment | null = null;
  private sessions: Record<ScaleUser, string> | null = null;
  private readonly cache: string | null;
  /** Threads the data set holds. */
  threads = 0;

  constructor(
    private readonly parameters: ScaleParameters,
    private readonly progress: Progress,
    private readonly inspect: boolean,
  ) {
    this.cache = parameters.cache ? cacheDirectory() : null;
  }

  get api(): Deployment {
    if (!this.deployment) throw new Error('no data set yet');
    return this.deployment;
  }

  /** `http://127.0.0.1:port` of instance `instance`. */
  origin(instance = 0): string {
    return `http://127.0.0.1:${this.api.servers[instance % this.api.servers.length]!.port}`;
  }

  session(user: ScaleUser): string {
    if (!this.sessions) throw new Error('no sessions yet');
    return this.sessions[user];
  }

  redisPids(): number[] {
    return this.redis?.pid ? [this.redis.pid] : [];
  }

  async redisMemoryBytes(): Promise<number> {
    return this.withRedis(async (client) =>
      Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1] ?? 0),
    );
  }

  /** Makes the data set hold `size` threads: from the cache, or grown through the API. */
  async reach(size: number): Promise<ScaleBuild> {
    const startedAt = Date.now();
    const cached = this.cache ? join(this.cache, `threads-${size}.rdb`) : null;
    if (cached && existsSync(cached)) {
      if (await this.load(cached, size)) {
        return {
          source: 'cache',
          seconds: (Date.now() - startedAt) / 1000,
          bookings: 0,
          posts: 0,
          reads: 0,
        };
      }
      this.progress.log(
        `scale: the cached data sets in ${this.cache} do not answer as expected; making them again`,
      );
      rmSync(this.cache!, { recursive: true, force: true });
      await this.stop();
    }
    if (!this.redis) await this.start(null);
    if (!this.sessions) await this.createUsers();
    const grown = await this.grow(size);
    if (cached) {
      mkdirSync(dirname(cached), { recursive: true });
      await this.redis!.snapshot(`${cached}.partial`);
      renameSync(`${cached}.partial`, cached);
    }
    return { source: 'built', seconds: (Date.now() - startedAt) / 1000, ...grown };
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private async start(snapshot: string | null): Promise<void> {
    this.redis = await RedisServer.start(snapshot ? { fromSnapshot: snapshot } : {});
    this.deployment = await deployApi(this.redis, {
      instances: INSTANCES,
      heartbeatMs: 25_000,
      inspect: this.inspect,
      maxSocketsPerUser: 20,
    });
  }

  private async stop(): Promise<void> {
    await this.deployment?.stop();
    await this.redis?.dispose();
    this.deployment = null;
    this.redis = null;
    this.sessions = null;
    this.threads = 0;
  }

  /** Starts over on a cached data set; false if it does not hold what the recipe says. */
  private async load(snapshot: string, size: number): Promise<boolean> {
    await this.stop();
    try {
      await this.start(snapshot);
      await this.signIn();
      const base = `${this.origin()}/api`;
      for (const viewer of ['staff', 'customer'] as const) {
        const response = await call(`${base}/chat/unread`, {
          headers: { cookie: sessionCookie(this.session(viewer)) },
        });
        const { total } = (await response.json()) as { total: number };
        const expected = [...expectedUnread(viewer, size).values()].reduce((a, b) => a + b, 0);
        if (total !== expected) return false;
      }
      this.threads = size;
      return true;
    } catch (error) {
      this.progress.log(
        `scale: loading ${snapshot} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  }

  private async createUsers(): Promise<void> {
    const base = `${this.origin()}/api`;
    for (const user of Object.values(SCALE_USERS)) {
      await call(`${base}/internal/users/${user.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${INTERNAL_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${user.handle}@scale.test`,
          name: user.name,
          handle: user.handle,
          role: user.role,
          country: user.role === 'staff' ? COUNTRY : null,
          password: PASSWORD,
        }),
      });
    }
    await this.signIn();
  }

  private async signIn(): Promise<void> {
    const base = `${this.origin()}/api`;
    const sessions: Partial<Record<ScaleUser, string>> = {};
    for (const [name, user] of Object.entries(SCALE_USERS) as Array<
      [ScaleUser, (typeof SCALE_USERS)[ScaleUser]]
    >) {
      sessions[name] = await login(base, `${user.handle}@scale.test`, PASSWORD);
    }
    this.sessions = sessions as Record<ScaleUser, string>;
  }

  /**
   * Threads `this.threads` … `size - 1`: their bookings, then their history, a bounded number
   * of requests at once over both instances. Redis skips its fsync per write meanwhile (the data
   * is the same; only the making is faster) and is put back to `appendfsync always` after.
   */
  private async grow(size: number): Promise<Omit<ScaleBuild, 'source' | 'seconds'>> {
    const from = this.threads;
    const count = size - from;
    const concurrency = this.parameters.buildConcurrency;
    const startedAt = Date.now();
    const base = (index: number) => `${this.origin(index)}/api`;
    await this.withRedis((client) => client.config('SET', 'appendfsync', 'no'));
    try {
      await runLimited(
        count,
        concurrency,
        async (offset) => {
          const index = from + offset;
          const response = await send(`${base(index)}/internal/bookings/${bookingId(index)}`, {
            method: 'PUT',
            headers: {
              authorization: `Bearer ${INTERNAL_TOKEN}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              ref: bookingRef(index),
              country: COUNTRY,
              creatorId: SCALE_USERS.customer.id,
              managerId: SCALE_USERS.staff.id,
            }),
          });
          await response.arrayBuffer();
        },
        (done) =>
          this.progress.update(
            `scale: ${size.toLocaleString('en-US')} threads: bookings ${done}/${count}${remaining(startedAt, done, count)}`,
          ),
      );
      const withHistory: number[] = [];
      for (let index = from; index < size; index++) {
        if (historyOf(index).length) withHistory.push(index);
      }
      let posts = 0;
      let reads = 0;
      const historyStartedAt = Date.now();
      await runLimited(
        withHistory.length,
        concurrency,
        async (position) => {
          const index = withHistory[position]!;
          let seq = 0;
          for (const [at, step] of historyOf(index).entries()) {
            const headers = {
              cookie: sessionCookie(this.session(step.by)),
              'content-type': 'application/json',
            };
            const url = `${base(index + at)}/chat/conversations/${threadId(index)}`;
            if (step.action === 'post') {
              const response = await send(`${url}/messages`, {
                method: 'POST',
                headers,
                body: JSON.stringify({
                  body: MESSAGE_BODIES[step.by](bookingRef(index)),
                  clientMessageId: `scale-${index}-${at}`,
                }),
              });
              seq = ((await response.json()) as { message: { seq: number } }).message.seq;
              posts += 1;
            } else {
              await send(`${url}/read`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ seq }),
                expect: [204],
              });
              reads += 1;
            }
          }
        },
        (done) =>
          this.progress.update(
            `scale: ${size.toLocaleString('en-US')} threads: history of ${done}/${withHistory.length} threads${remaining(historyStartedAt, done, withHistory.length)}`,
          ),
      );
      this.threads = size;
      return { bookings: count, posts, reads };
    } finally {
      await this.withRedis((client) => client.config('SET', 'appendfsync', 'always'));
    }
  }

  private async withRedis<T>(task: (client: Redis) => Promise<T>): Promise<T> {
    if (!this.redis) throw new Error('no Redis');
    const client = new Redis(this.redis.url, { maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      return await task(client);
    } finally {
      client.disconnect();
    }
  }
}
