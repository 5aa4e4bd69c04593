import { type Child, spawnChild } from './child';
import { expectEventually } from './eventually';
import { redisCli } from './redis-cli';

/**
 * The `redis-server` arguments every test Redis shares: loopback only, its own directory, no RDB
 * saves, the append-only file with `fsync always` as shipped (or none when not `durable`), and
 * the password for clients and for its replication link when there is one.
 */
export function serverArguments(options: {
  port: number;
  directory: string;
  durable: boolean;
  password: string | null;
}): string[] {
  const { port, directory, durable, password } = options;
  return [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', directory],
    ...['--save', '', '--daemonize', 'no', '--loglevel', 'warning'],
    ...(durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(password === null ? [] : ['--requirepass', password, '--masterauth', password]),
  ];
}

/**
 * One `redis-server` process of a topology (a cluster node, a master or replica, a sentinel) on a
 * fixed loopback port and directory, so that it can be killed and started again as itself.
 */
export class RedisNode {
  private process: Child | null = null;

  constructor(
    readonly port: number,
    /** Everything after `redis-server`: a config file and/or `--option value` pairs. */
    private readonly args: readonly string[],
    /** What clients give to AUTH, or null for an open node. */
    readonly password: string | null,
  ) {}

  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  get running(): boolean {
    return this.process !== null;
  }

  /** Starts the process and resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.process) throw new Error(`redis-server on ${this.port} is running already`);
    const child = spawnChild('redis-server', [...this.args], {});
    this.process = child;
    await expectEventually(
      async () => {
        if (child.child.exitCode !== null)
          throw new Error(
            `redis-server on ${this.port} exited with ${child.child.exitCode}:\n${child.output()}`,
          );
        if ((await this.cli('PING').catch(() => '')).trim() !== 'PONG')
          throw new Error(`redis-server on ${this.port} not answering yet`);
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }

  /** SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    this.process = null;
    await child?.stop(signal);
  }

  /** Runs one command with `redis-cli` and returns its output. */
  cli(...args: string[]): Promise<string> {
    return redisCli(this.port, this.password, args);
  }

  /** What the process printed, for failure messages. */
  output(): string {
    return this.process?.output() ?? '';
  }
}
