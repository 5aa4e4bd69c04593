import { join } from 'node:path';
import { BENCH_DIST } from '../paths';
import { freePort } from '@chat/test-support';
import { RedisServer } from '../infra/redis-server';
import { ServerProcess } from '../infra/server-process';
import { type Contender, type Deployment, type DeployOptions } from './contender';

/** socket.io 4 + the sharded Redis adapter, a minimal chat server per instance. */
export class SocketIoContender implements Contender {
  readonly name = 'socketio' as const;
  readonly label = 'socket.io + Redis adapter';
  readonly description =
    'socket.io 4 with `@socket.io/redis-adapter` (sharded adapter, Redis 7 sharded pub/sub, dynamic subscription mode), WebSocket transport only, rooms per conversation; no auth, no persistence, no resume.';
  readonly kind = 'socketio' as const;
  readonly maxInstances = 2;
  private redis: RedisServer | null = null;

  async setUp(): Promise<void> {
    this.redis = await RedisServer.start();
  }

  async deploy(options: DeployOptions): Promise<Deployment> {
    const redis = this.redis;
    if (!redis) throw new Error('set up first');
    const servers: ServerProcess[] = [];
    const inspectPorts: Array<number | null> = [];
    for (let instance = 0; instance < options.instances; instance++) {
      const port = await freePort();
      const inspectPort = options.inspect ? await freePort() : null;
      inspectPorts.push(inspectPort);
      servers.push(
        await ServerProcess.start({
          label: `socket.io #${instance + 1}`,
          entry: join(BENCH_DIST, 'servers/socketio-server.js'),
          port,
          environment: { REDIS_URL: redis.url, HEARTBEAT_MS: String(options.heartbeatMs) },
          readyPath: '/health',
          nodeArguments: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
        }),
      );
    }
    return {
      endpoints: servers.map((server) => `http://127.0.0.1:${server.port}`),
      servers,
      inspectPorts,
      pids: () => [...servers.map((server) => server.pid), ...this.helperPids()],
      stop: async () => {
        await Promise.all(servers.map((server) => server.stop()));
      },
    };
  }

  room(index: number): string {
    return `room-${index}`;
  }

  memberCredential(): undefined {
    return undefined;
  }

  writerCredential(): undefined {
    return undefined;
  }

  idleCredential(): undefined {
    return undefined;
  }

  redisUrl(): string | null {
    return this.redis?.url ?? null;
  }

  helperPids(): number[] {
    return this.redis?.pid ? [this.redis.pid] : [];
  }

  async tearDown(): Promise<void> {
    await this.redis?.dispose();
    this.redis = null;
  }
}
