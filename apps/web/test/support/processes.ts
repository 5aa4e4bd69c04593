import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Patterns shared with the API's black-box suites (apps/api/test/support), kept free of the
// API's own dependencies.

export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Retries `assertion` until it stops throwing; fails with its last error after the timeout. */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 25 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw lastError instanceof Error ? lastError : new Error(String(lastError));
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A child process whose output is kept for failure messages. */
export interface Child {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnChild(
  command: string,
  args: string[],
  environment: Record<string, string>,
  cwd?: string,
): Child {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...environment } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.once('error', () => resolve(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.write('PING\r\n');
  });
}

/** A real `redis-server` on a free loopback port (AOF on), owned by the test. */
export class RedisServer {
  private process: Child | null = null;
  private readonly directory = mkdtempSync(join(tmpdir(), 'chat-web-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    const child = spawnChild(
      'redis-server',
      [
        ...['--port', String(server.port), '--bind', '127.0.0.1', '--dir', server.directory],
        ...['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      ],
      {},
    );
    server.process = child;
    child.child.stdout?.resume();
    await expectEventually(
      async () => {
        if (child.child.exitCode !== null)
          throw new Error(`redis-server exited:\n${child.output()}`);
        if (!(await ping(server.port))) throw new Error('redis not ready');
      },
      { timeoutMs: 10_000 },
    );
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.process?.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

export const API_ENTRY = fileURLToPath(new URL('../../../api/dist/main.js', import.meta.url));
export const INTERNAL_TOKEN = 'web-e2e-internal-token-0123456789';

export interface ApiProcess extends Child {
  port: number;
  baseUrl: string;
}

/** Runs the built API (`node apps/api/dist/main.js`) as production does. */
export async function spawnApi(
  environment: Record<string, string>,
  port?: number,
): Promise<ApiProcess> {
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} is missing: build the API first`);
  const apiPort = port ?? (await freePort());
  const child = spawnChild(process.execPath, [API_ENTRY], {
    LOG_LEVEL: 'warn',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    // Every browser of the suite signs in from this one address.
    LOGIN_RATE_PER_IP: '0',
    ...environment,
    PORT: String(apiPort),
  });
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await expectEventually(
    async () => {
      if (child.child.exitCode !== null) {
        throw new Error(`API exited with ${child.child.exitCode}:\n${child.output()}`);
      }
      const response = await fetch(`${baseUrl}/api/health/ready`);
      if (response.status !== 200) throw new Error(`not ready: ${response.status}`);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  return { ...child, port: apiPort, baseUrl };
}
