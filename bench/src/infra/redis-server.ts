import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually, freePort } from '@chat/test-support';
import Redis from 'ioredis';
import { track } from './children';

/**
 * A `redis-server` on a free loopback port configured as the shipped compose file runs it: AOF
 * on, fsync before a write is answered (`appendfsync always`, decision 0001), a password
 * required. Every contender that needs Redis gets its own.
 */
export class RedisServer {
  private child: ChildProcess | null = null;
  private readonly directory = mkdtempSync(join(tmpdir(), 'chat-bench-redis-'));
  readonly password = randomBytes(16).toString('hex');

  private constructor(readonly port: number) {}

  /**
   * Starts an empty server, or one holding the data of a snapshot taken with
   * {@link snapshot} (loaded from RDB, then switched to AOF as usual).
   */
  static async start(options: { fromSnapshot?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    if (options.fromSnapshot)
      copyFileSync(options.fromSnapshot, join(server.directory, 'dump.rdb'));
    await server.boot(options.fromSnapshot ? 'no' : 'yes');
    if (options.fromSnapshot) await server.enableAof();
    return server;
  }

  /** Writes the whole data set to `path` (an RDB file). */
  async snapshot(path: string): Promise<void> {
    await this.withClient((client) => client.save());
    copyFileSync(join(this.directory, 'dump.rdb'), path);
  }

  private async enableAof(): Promise<void> {
    await this.withClient(async (client) => {
      await client.config('SET', 'appendonly', 'yes');
      await expectEventually(
        async () => {
          const info = await client.info('persistence');
          if (!/aof_rewrite_in_progress:0/.test(info) || /aof_rewrite_scheduled:1/.test(info)) {
            throw new Error('AOF rewrite still running');
          }
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    });
  }

  private async withClient<T>(task: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      return await task(client);
    } finally {
      client.disconnect();
    }
  }

  static version(): string {
    const output = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    return /v=([\d.]+)/.exec(output)?.[1] ?? output.trim();
  }

  get url(): string {
    return `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async boot(appendOnly: 'yes' | 'no'): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.directory],
        ...['--save', '', '--appendonly', appendOnly, '--appendfsync', 'always'],
        ...['--maxclients', '10000', '--daemonize', 'no', '--loglevel', 'warning'],
        ...['--requirepass', this.password],
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    track(child);
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await expectEventually(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`redis-server exited with ${child.exitCode}`);
          if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
          if ((await probe.ping()) !== 'PONG') throw new Error('not ready');
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
    } finally {
      probe.disconnect();
    }
  }

  async dispose(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
