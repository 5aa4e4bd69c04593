import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, spawnChild } from './child';
import { expectEventually } from './eventually';
import { freePort } from './loopback';
import { serverArguments } from './redis-node';

export interface RedisServerOptions {
  /**
   * AOF on with an fsync before every answer (as production runs it), so a restart keeps
   * everything acknowledged; off, nothing outlives the process. @default true
   */
  durable?: boolean;
  /** An RDB file to start from (copied; the server then runs without AOF, as `durable: false`). */
  snapshot?: string;
  /**
   * Require this password (`requirepass`), as every shipped Redis does; `null` runs the server
   * open, to test what refuses one. @default a random password
   */
  password?: string | null;
}

/**
 * Whether a Redis server answers PING on 127.0.0.1:port, after AUTH when a password is given
 * (RESP inline commands, no client library).
 */
export function answersPing(port: number, password: string | null = null): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const expectedLines = password === null ? 1 : 2;
    let reply = '';
    socket.once('error', () => resolve(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const lines = reply.split('\r\n').slice(0, -1);
      if (lines.length >= expectedLines || lines.some((line) => line.startsWith('-'))) {
        socket.destroy();
        resolve(lines[expectedLines - 1] === '+PONG');
      }
    });
    socket.write(password === null ? 'PING\r\n' : `AUTH ${password}\r\nPING\r\n`);
  });
}

/**
 * A real `redis-server` on a free loopback port, owned by the test. Stop it (SIGTERM, or SIGKILL
 * for a crash) and start it again on the same port and directory to simulate an outage.
 */
export class RedisServer {
  private process: Child | null = null;
  private readonly directory = mkdtempSync(join(tmpdir(), 'chat-redis-'));
  /** The password clients must give, or null for an open server. */
  readonly password: string | null;

  protected constructor(
    readonly port: number,
    private readonly options: RedisServerOptions = {},
  ) {
    this.password =
      options.password === undefined ? randomBytes(16).toString('hex') : options.password;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    if (options.snapshot) copyFileSync(options.snapshot, join(server.directory, 'dump.rdb'));
    await server.start();
    return server;
  }

  /** `redis://:password@127.0.0.1:port`, what the API's REDIS_URL takes. */
  get url(): string {
    return this.password === null
      ? `redis://127.0.0.1:${this.port}`
      : `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const fromSnapshot = Boolean(this.options.snapshot);
    const child = spawnChild(
      'redis-server',
      [
        ...serverArguments({
          port: this.port,
          directory: this.directory,
          durable: this.options.durable !== false && !fromSnapshot,
          password: this.password,
        }),
        ...(fromSnapshot ? ['--dbfilename', 'dump.rdb'] : []),
      ],
      {},
    );
    this.process = child;
    await expectEventually(
      async () => {
        if (child.child.exitCode !== null)
          throw new Error(`redis-server exited with ${child.child.exitCode}:\n${child.output()}`);
        if (!(await answersPing(this.port, this.password))) {
          throw new Error('redis-server not ready');
        }
      },
      { timeoutMs: 10_000 },
    );
  }

  /** Stops the server (SIGTERM: it finishes the AOF and exits) or kills it (SIGKILL). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    this.process = null;
    await child?.stop(signal);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
