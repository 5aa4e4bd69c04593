import Redis from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisCluster, RedisSentinelGroup } from '@chat/test-support';
import { RedisServer } from './redis-server';

/**
 * The engines and Redis topologies a contract runs on: the embedded engine, one Redis node,
 * a Sentinel group (a master, a replica, three sentinels) and a Cluster (three masters, three
 * replicas), all real `redis-server` processes on loopback.
 */
export type EngineName = 'memory' | 'redis' | 'sentinel' | 'cluster';
export const ENGINES: EngineName[] = ['memory', 'redis', 'sentinel', 'cluster'];
/**
 * The engines of the suites above the stores (HTTP, the gateway): a Sentinel group is one node
 * found through sentinels, which the contract suites and the failover tests cover; a Cluster
 * splits the work differently, so it runs them too.
 */
export const INTEGRATION_ENGINES: EngineName[] = ['memory', 'redis', 'cluster'];

/** A running Redis topology and how the API reaches it. */
export interface RedisTopologyHandle {
  name: Exclude<EngineName, 'memory'>;
  /** The API's environment for it (REDIS_URL, REDIS_SENTINELS…, REDIS_CLUSTER_NODES…). */
  environment: Record<string, string>;
  /** Clients of every master (for flushing and probing); disconnect them after use. */
  masters(): Promise<Redis[]>;
  /** The topology's own handle. */
  server: RedisServer | RedisSentinelGroup | RedisCluster;
  dispose(): Promise<void>;
}

/** Starts the topology of `name`, for suites that manage its lifetime themselves. */
export async function startTopology(
  name: Exclude<EngineName, 'memory'>,
): Promise<RedisTopologyHandle> {
  switch (name) {
    case 'redis': {
      const server = await RedisServer.start();
      return {
        name,
        environment: { REDIS_URL: server.url },
        masters: async () => [server.client()],
        server,
        dispose: () => server.dispose(),
      };
    }
    case 'sentinel': {
      const group = await RedisSentinelGroup.start();
      return {
        name,
        environment: sentinelEnvironment(group),
        masters: async () => [plainClient(await group.masterPort(), group.password)],
        server: group,
        dispose: () => group.dispose(),
      };
    }
    case 'cluster': {
      const cluster = await RedisCluster.start();
      return {
        name,
        environment: clusterEnvironment(cluster),
        masters: async () =>
          (await cluster.masters())
            .filter((master) => cluster.node(master.port).running)
            .map((master) => plainClient(master.port, cluster.password)),
        server: cluster,
        dispose: () => cluster.dispose(),
      };
    }
  }
}

export function sentinelEnvironment(group: RedisSentinelGroup): Record<string, string> {
  return {
    REDIS_SENTINELS: group.sentinelsSetting,
    REDIS_SENTINEL_MASTER: group.masterName,
    ...(group.password === null ? {} : { REDIS_PASSWORD: group.password }),
    ...(group.sentinelPassword === null ? {} : { REDIS_SENTINEL_PASSWORD: group.sentinelPassword }),
  };
}

export function clusterEnvironment(cluster: RedisCluster): Record<string, string> {
  return {
    REDIS_CLUSTER_NODES: cluster.nodesSetting,
    ...(cluster.password === null ? {} : { REDIS_PASSWORD: cluster.password }),
  };
}

/** A plain client of one node (no cluster routing), for assertions and cleanup. */
export function plainClient(port: number, password: string | null): Redis {
  const client = new Redis(port, '127.0.0.1', { password: password ?? undefined });
  client.on('error', () => undefined);
  return client;
}

/** Empties every master of the topology (their replicas follow). */
export async function flushTopology(topology: RedisTopologyHandle): Promise<void> {
  const masters = await topology.masters();
  try {
    await Promise.all(masters.map((master) => master.flushall()));
  } finally {
    for (const master of masters) master.disconnect();
  }
}

/**
 * Per engine, the environment that selects it. A Redis topology is started for the suite and
 * flushed between tests by the caller (`reset`).
 */
export function useEngine(engine: EngineName) {
  let topology: RedisTopologyHandle | null = null;
  const handle = {
    get topology(): RedisTopologyHandle | null {
      return topology;
    },
    environment(): Record<string, string> {
      return topology ? { ...topology.environment, DEMO_SEED: 'true' } : {};
    },
    async reset(): Promise<void> {
      if (topology) await flushTopology(topology);
    },
  };
  beforeAll(async () => {
    if (engine !== 'memory') topology = await startTopology(engine);
  }, 60_000);
  afterAll(async () => {
    await topology?.dispose();
  });
  return handle;
}
