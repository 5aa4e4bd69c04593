import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from './eventually';
import { freePort } from './loopback';
import { parseInfo, redisCli, type RedisProcessStats, redisProcessStats } from './redis-cli';
import { RedisNode, serverArguments } from './redis-node';

export interface RedisClusterOptions {
  /** @default 3 */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /**
   * What every node asks clients (and each other) for; `null` runs them open.
   * @default a random password
   */
  password?: string | null;
  /**
   * How long a master may be unreachable before its replica takes over: the failover time.
   * @default 1000
   */
  nodeTimeoutMs?: number;
  /** AOF with an fsync before every answer, as production runs Redis. @default true */
  durable?: boolean;
}

/** One node as `CLUSTER NODES` describes it. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** The master a replica follows. */
  masterId: string | null;
  /** Slot ranges served (masters), inclusive. */
  slots: Array<[number, number]>;
  /** Not marked failing by the node that was asked. */
  healthy: boolean;
}

/** One master's work since it started, for per-shard figures. */
export interface ClusterShardStats extends RedisProcessStats {
  pid: number | undefined;
  slots: number;
}

const SLOTS = 16_384;

/**
 * A Redis Cluster of real `redis-server` processes on loopback ports (3 masters with a replica
 * each unless told otherwise), made with `redis-cli --cluster create`. Nodes can be killed and
 * started again, slots moved between masters under load, and each shard's commands and CPU read.
 */
export class RedisCluster {
  private readonly directory = mkdtempSync(join(tmpdir(), 'chat-redis-cluster-'));
  readonly nodes: RedisNode[] = [];

  private constructor(readonly password: string | null) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const password =
      options.password === undefined ? randomBytes(16).toString('hex') : options.password;
    const cluster = new RedisCluster(password);
    try {
      for (let index = 0; index < masters * (1 + replicas); index++) {
        cluster.nodes.push(await cluster.makeNode(options));
      }
      await Promise.all(cluster.nodes.map((node) => node.start()));
      await redisCli(
        cluster.nodes[0]!.port,
        password,
        [
          '--cluster',
          'create',
          ...cluster.nodes.map((node) => `127.0.0.1:${node.port}`),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        60_000,
      );
      await cluster.waitHealthy();
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  private async makeNode(options: RedisClusterOptions): Promise<RedisNode> {
    const port = await freePort();
    const directory = join(this.directory, String(port));
    mkdirSync(directory);
    return new RedisNode(
      port,
      [
        ...serverArguments({
          port,
          directory,
          durable: options.durable !== false,
          password: this.password,
        }),
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
        ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1_000)],
      ],
      this.password,
    );
  }

  /** `127.0.0.1:port,…` of every node: what the API's REDIS_CLUSTER_NODES takes. */
  get nodesSetting(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  node(port: number): RedisNode {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no cluster node on port ${port}`);
    return node;
  }

  /** The cluster as a running node sees it. */
  async topology(): Promise<ClusterNodeInfo[]> {
    let lastError: unknown = new Error('no node is running');
    for (const node of this.nodes.filter((candidate) => candidate.running)) {
      try {
        return parseClusterNodes(await node.cli('CLUSTER', 'NODES'));
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The masters that serve slots, with their ports. */
  async masters(): Promise<ClusterNodeInfo[]> {
    return (await this.topology()).filter((node) => node.role === 'master' && node.slots.length);
  }

  async slotOf(key: string): Promise<number> {
    const node = this.nodes.find((candidate) => candidate.running)!;
    return Number((await node.cli('CLUSTER', 'KEYSLOT', key)).trim());
  }

  /** The master that serves `slot`. */
  async masterOf(slot: number): Promise<ClusterNodeInfo> {
    const master = (await this.masters()).find((node) =>
      node.slots.some(([first, last]) => slot >= first && slot <= last),
    );
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master;
  }

  /**
   * Resolves once every running node says the cluster is ok, every slot is served by a running
   * master, and every replica of a running master has caught up its link.
   */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await expectEventually(
      async () => {
        const running = this.nodes.filter((node) => node.running);
        for (const node of running) {
          const info = parseInfo(await node.cli('CLUSTER', 'INFO'));
          if (info.get('cluster_state') !== 'ok') throw new Error(`${node.port}: cluster not ok`);
        }
        const topology = await this.topology();
        const runningPorts = new Set(running.map((node) => node.port));
        let covered = 0;
        for (const node of topology) {
          if (node.role !== 'master' || !runningPorts.has(node.port)) continue;
          for (const [first, last] of node.slots) covered += last - first + 1;
        }
        if (covered !== SLOTS) throw new Error(`${covered} of ${SLOTS} slots served`);
        for (const replica of topology.filter((node) => node.role === 'replica')) {
          if (!runningPorts.has(replica.port)) continue;
          const master = topology.find((node) => node.id === replica.masterId);
          if (!master || !runningPorts.has(master.port)) continue;
          const info = parseInfo(await this.node(replica.port).cli('INFO', 'replication'));
          if (info.get('master_link_status') !== 'up')
            throw new Error(`replica ${replica.port} not linked to its master yet`);
        }
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Kills a node (SIGKILL by default: a crash). */
  async kill(port: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.node(port).stop(signal);
  }

  /** Starts a stopped node again, with its data and its cluster configuration. */
  async restart(port: number): Promise<void> {
    await this.node(port).start();
  }

  /**
   * Moves one slot and its keys to another master as `redis-cli --cluster reshard` does: the
   * target imports, the source migrates, the keys move in batches (clients meanwhile get ASK for
   * keys already moved), then every master is told the new owner.
   */
  async moveSlot(slot: number, toPort: number): Promise<void> {
    const source = await this.masterOf(slot);
    const target = (await this.masters()).find((node) => node.port === toPort);
    if (!target) throw new Error(`${toPort} is not a master that serves slots`);
    if (target.id === source.id) return;
    const from = this.node(source.port);
    const to = this.node(target.port);
    await to.cli('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source.id);
    await from.cli('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', target.id);
    for (;;) {
      const keys = (await from.cli('CLUSTER', 'GETKEYSINSLOT', String(slot), '100'))
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      if (!keys.length) break;
      const auth = this.password === null ? [] : ['AUTH', this.password];
      await from.cli(
        'MIGRATE',
        '127.0.0.1',
        String(to.port),
        '',
        '0',
        '10000',
        ...auth,
        'KEYS',
        ...keys,
      );
    }
    for (const master of await this.masters()) {
      if (master.id === source.id) continue;
      await this.node(master.port).cli('CLUSTER', 'SETSLOT', String(slot), 'NODE', target.id);
    }
    await from.cli('CLUSTER', 'SETSLOT', String(slot), 'NODE', target.id);
    await this.waitHealthy();
  }

  /** Each master's commands and CPU since it started (the bench reads the difference). */
  async shardStats(): Promise<ClusterShardStats[]> {
    const masters = await this.masters();
    return Promise.all(
      masters.map(async (master) => {
        const node = this.node(master.port);
        return {
          ...(await redisProcessStats(master.port, this.password)),
          pid: node.pid,
          slots: master.slots.reduce((sum, [first, last]) => sum + last - first + 1, 0),
        };
      }),
    );
  }

  /** The process ids of every running node (for CPU meters). */
  pids(): number[] {
    return this.nodes.flatMap((node) => (node.pid === undefined ? [] : [node.pid]));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop('SIGKILL')));
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Parses `CLUSTER NODES` (migrating/importing markers in the slot list are left out). */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [id, address, flags, master, , , , , ...slotFields] = line.split(' ');
      const port = Number(/:(\d+)@/.exec(address ?? '')?.[1] ?? 0);
      const flagList = (flags ?? '').split(',');
      const slots = slotFields
        .filter((field) => !field.startsWith('['))
        .map((field): [number, number] => {
          const [first, last = first] = field.split('-');
          return [Number(first), Number(last)];
        });
      return {
        id: id!,
        port,
        role: flagList.includes('master') ? ('master' as const) : ('replica' as const),
        masterId: master && master !== '-' ? master : null,
        slots,
        healthy: !flagList.includes('fail') && !flagList.includes('fail?'),
      };
    });
}
