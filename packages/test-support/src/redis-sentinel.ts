import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from './eventually';
import { freePort } from './loopback';
import { parseInfo } from './redis-cli';
import { RedisNode, serverArguments } from './redis-node';

export interface RedisSentinelOptions {
  /** Replicas of the master. @default 1 */
  replicas?: number;
  /** @default 3 */
  sentinels?: number;
  /** The name the sentinels monitor the master under. @default 'chat' */
  masterName?: string;
  /**
   * What the data nodes ask clients for (and replicas give their master); `null` runs them open.
   * @default a random password
   */
  password?: string | null;
  /** What the sentinels themselves ask for. @default another random password (null: open) */
  sentinelPassword?: string | null;
  /** How long the master may be silent before the sentinels call it down. @default 1000 */
  downAfterMs?: number;
  /** AOF with an fsync before every answer, as production runs Redis. @default true */
  durable?: boolean;
}

/**
 * A master, its replicas and a quorum of sentinels (1 + 1 + 3 unless told otherwise), all real
 * `redis-server` processes on loopback ports, with passwords on both the data nodes and the
 * sentinels. Kill the master and the sentinels promote a replica.
 */
export class RedisSentinelGroup {
  private readonly directory = mkdtempSync(join(tmpdir(), 'chat-redis-sentinel-'));
  /** The data nodes: the first is the master the group started with. */
  readonly servers: RedisNode[] = [];
  readonly sentinels: RedisNode[] = [];

  private constructor(
    readonly masterName: string,
    readonly password: string | null,
    readonly sentinelPassword: string | null,
  ) {}

  static async start(options: RedisSentinelOptions = {}): Promise<RedisSentinelGroup> {
    const random = () => randomBytes(16).toString('hex');
    const group = new RedisSentinelGroup(
      options.masterName ?? 'chat',
      options.password === undefined ? random() : options.password,
      options.sentinelPassword === undefined ? random() : options.sentinelPassword,
    );
    try {
      const masterPort = await freePort();
      group.servers.push(group.makeServer(masterPort, null, options));
      for (let index = 0; index < (options.replicas ?? 1); index++) {
        group.servers.push(group.makeServer(await freePort(), masterPort, options));
      }
      await Promise.all(group.servers.map((server) => server.start()));
      for (let index = 0; index < (options.sentinels ?? 3); index++) {
        group.sentinels.push(group.makeSentinel(await freePort(), masterPort, options));
      }
      await Promise.all(group.sentinels.map((sentinel) => sentinel.start()));
      await group.waitHealthy();
    } catch (error) {
      await group.dispose();
      throw error;
    }
    return group;
  }

  private makeServer(
    port: number,
    replicaOf: number | null,
    options: RedisSentinelOptions,
  ): RedisNode {
    const directory = join(this.directory, `server-${port}`);
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
        ...(replicaOf === null ? [] : ['--replicaof', '127.0.0.1', String(replicaOf)]),
      ],
      this.password,
    );
  }

  private makeSentinel(port: number, masterPort: number, options: RedisSentinelOptions): RedisNode {
    const directory = join(this.directory, `sentinel-${port}`);
    mkdirSync(directory);
    const quorum = Math.floor((options.sentinels ?? 3) / 2) + 1;
    const name = this.masterName;
    const config = join(directory, 'sentinel.conf');
    // Sentinels rewrite their file as they learn the group, so each has its own.
    writeFileSync(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${directory}`,
        'loglevel warning',
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
        `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1_000}`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`,
        ...(this.password === null ? [] : [`sentinel auth-pass ${name} ${this.password}`]),
        ...(this.sentinelPassword === null ? [] : [`requirepass ${this.sentinelPassword}`]),
        '',
      ].join('\n'),
    );
    return new RedisNode(port, [config, '--sentinel'], this.sentinelPassword);
  }

  /** `127.0.0.1:port,…` of the sentinels: what the API's REDIS_SENTINELS takes. */
  get sentinelsSetting(): string {
    return this.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',');
  }

  server(port: number): RedisNode {
    const server = this.servers.find((candidate) => candidate.port === port);
    if (!server) throw new Error(`no data node on port ${port}`);
    return server;
  }

  /** The port of the master, as the running sentinels report it (they must agree). */
  async masterPort(): Promise<number> {
    const answers = await Promise.all(
      this.sentinels
        .filter((sentinel) => sentinel.running)
        .map(async (sentinel) =>
          Number(
            (await sentinel.cli('SENTINEL', 'get-master-addr-by-name', this.masterName))
              .trim()
              .split('\n')[1],
          ),
        ),
    );
    const ports = new Set(answers);
    if (ports.size !== 1) throw new Error(`the sentinels disagree on the master: ${[...ports]}`);
    return answers[0]!;
  }

  /**
   * Resolves once the sentinels agree on a running master, it has every running replica linked,
   * and each sentinel knows the replicas and the other sentinels (so that a failover can start).
   */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const running = () => this.servers.filter((server) => server.running);
    await expectEventually(
      async () => {
        const master = this.server(await this.masterPort());
        if (!master.running) throw new Error(`the master ${master.port} is not running`);
        const role = parseInfo(await master.cli('INFO', 'replication'));
        if (role.get('role') !== 'master') throw new Error(`${master.port} is not master yet`);
        const replicas = running().filter((server) => server !== master);
        if (Number(role.get('connected_slaves')) !== replicas.length)
          throw new Error(`${role.get('connected_slaves')} of ${replicas.length} replicas linked`);
        for (const replica of replicas) {
          const info = parseInfo(await replica.cli('INFO', 'replication'));
          if (
            info.get('master_link_status') !== 'up' ||
            info.get('master_port') !== `${master.port}`
          )
            throw new Error(`replica ${replica.port} not linked to ${master.port}`);
        }
        for (const sentinel of this.sentinels.filter((candidate) => candidate.running)) {
          const fields = sentinelFields(await sentinel.cli('SENTINEL', 'master', this.masterName));
          if (Number(fields.get('num-slaves')) < replicas.length)
            throw new Error(`sentinel ${sentinel.port} does not know every replica yet`);
          if (Number(fields.get('num-other-sentinels')) < this.sentinels.length - 1)
            throw new Error(`sentinel ${sentinel.port} does not know the other sentinels yet`);
          if ((fields.get('flags') ?? '').includes('down'))
            throw new Error(`sentinel ${sentinel.port} still sees the master down`);
        }
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Kills a data node (SIGKILL by default: a crash). */
  async kill(port: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.server(port).stop(signal);
  }

  /** Starts a stopped data node again; the sentinels make an old master a replica. */
  async restart(port: number): Promise<void> {
    await this.server(port).start();
  }

  /** The process ids of every running process (for CPU meters). */
  pids(): number[] {
    return [...this.servers, ...this.sentinels].flatMap((node) =>
      node.pid === undefined ? [] : [node.pid],
    );
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.servers, ...this.sentinels].map((node) => node.stop('SIGKILL')));
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** `SENTINEL master` prints field and value on alternate lines. */
function sentinelFields(text: string): Map<string, string> {
  const lines = text.split('\n').map((line) => line.trim());
  const fields = new Map<string, string>();
  for (let at = 0; at + 1 < lines.length; at += 2) fields.set(lines[at]!, lines[at + 1]!);
  return fields;
}
