import { type Child, spawnChild } from './child';
import { expectEventually } from './eventually';
import { redisCli } from './redis-cli';

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
