import { parseClusterNodes, parseInfo } from '@chat/test-support';
import Redis from 'ioredis';

/** One Redis node's counters at one moment (`INFO stats commandstats cpu`). */
export interface RedisNodeSample {
  /** `host:port`. */
  node: string;
  atMs: number;
  /** Calls per command name since the node started, a script's inner commands included. */
  calls: Record<string, number>;
  /** `used_cpu_sys + used_cpu_user`, in seconds. */
  cpuSeconds: number;
}

/** What one node did between two samples, less the `INFO` of the first one. */
export interface RedisNodeWork {
  node: string;
  elapsedMs: number;
  /** Calls per command name (only those called). */
  calls: Record<string, number>;
  /** Every call, a script's inner commands included (an `EVALSHA` and each `redis.call`). */
  commands: number;
  cpuSeconds: number;
  /** CPU over the elapsed time, in % of one core. */
  cpuPercent: number;
}

/** Reads a node's sample out of the text `INFO stats commandstats cpu` answers. */
export function parseNodeSample(node: string, info: string, atMs: number): RedisNodeSample {
  const fields = parseInfo(info);
  const calls: Record<string, number> = {};
  for (const [field, value] of fields) {
    const count = /(?:^|,)calls=(\d+)/.exec(value);
    if (field.startsWith('cmdstat_') && count)
      calls[field.slice('cmdstat_'.length)] = Number(count[1]);
  }
  const cpuSeconds =
    Number(fields.get('used_cpu_sys') ?? 0) + Number(fields.get('used_cpu_user') ?? 0);
  return { node, atMs, calls, cpuSeconds };
}

/**
 * The work between two samples of one node, less the meter's own `INFO`s: the first sample's
 * (a command is counted once it has run, so the last one's is not) and those of any samples
 * taken in between (`samplesBetween`).
 */
export function nodeWork(
  before: RedisNodeSample,
  after: RedisNodeSample,
  samplesBetween = 0,
): RedisNodeWork {
  const calls: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.calls)) {
    const own = name === 'info' ? 1 + samplesBetween : 0;
    const delta = count - (before.calls[name] ?? 0) - own;
    if (delta > 0) calls[name] = delta;
  }
  const elapsedMs = after.atMs - before.atMs;
  const cpuSeconds = Math.max(0, after.cpuSeconds - before.cpuSeconds);
  return {
    node: after.node,
    elapsedMs,
    calls,
    commands: Object.values(calls).reduce((sum, count) => sum + count, 0),
    cpuSeconds,
    cpuPercent: elapsedMs > 0 ? ((cpuSeconds * 1000) / elapsedMs) * 100 : 0,
  };
}

/** The `count` commands called most, most first (name → calls). */
export function topCommands(calls: Record<string, number>, count: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(calls)
      .sort(([nameA, a], [nameB, b]) => b - a || nameA.localeCompare(nameB))
      .slice(0, count),
  );
}

/** A master of a Cluster: its address and the slots it serves. */
export interface ClusterMaster {
  node: string;
  slotRanges: Array<[number, number]>;
}

/**
 * Reads the commands and CPU of a set of Redis nodes (a single node, or each master of a
 * Cluster) over connections of its own, opened once: a sample costs each node one `INFO`.
 */
export class RedisMeter {
  private constructor(private readonly clients: Array<{ node: string; client: Redis }>) {}

  static async connect(urls: string[]): Promise<RedisMeter> {
    const clients = urls.map((url) => {
      const { hostname, port } = new URL(url);
      // A plain connection to this node (no cluster routing): INFO is about the node itself.
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      return { node: `${hostname}:${port}`, client };
    });
    const meter = new RedisMeter(clients);
    try {
      await Promise.all(clients.map(({ client }) => client.connect()));
    } catch (error) {
      meter.close();
      throw error;
    }
    return meter;
  }

  get nodes(): string[] {
    return this.clients.map(({ node }) => node);
  }

  async sample(): Promise<RedisNodeSample[]> {
    return Promise.all(
      this.clients.map(async ({ node, client }) => {
        const info = (await client.call('INFO', 'stats', 'commandstats', 'cpu')) as string;
        return parseNodeSample(node, info, performance.now());
      }),
    );
  }

  /** The masters that serve slots, as the first node sees the Cluster. */
  async clusterMasters(): Promise<ClusterMaster[]> {
    const text = (await this.clients[0]!.client.call('CLUSTER', 'NODES')) as string;
    return parseClusterNodes(text)
      .filter((entry) => entry.role === 'master' && entry.slots.length)
      .map((entry) => ({
        node:
          this.clients.find(({ node }) => node.endsWith(`:${entry.port}`))?.node ??
          `?:${entry.port}`,
        slotRanges: entry.slots,
      }));
  }

  /** The hash slot of each key, as the Cluster computes it. */
  async slotsOf(keys: string[]): Promise<number[]> {
    const client = this.clients[0]!.client;
    return Promise.all(
      keys.map(async (key) => Number(await client.call('CLUSTER', 'KEYSLOT', key))),
    );
  }

  close(): void {
    for (const { client } of this.clients) client.disconnect();
  }
}
