import { join } from 'node:path';
import { BENCH_DIST } from '../paths';
import { freePort } from '@chat/test-support';
import { RedisServer } from '../infra/redis-server';
import { ServerProcess } from '../infra/server-process';
import {
  type Contender,
  type ContenderName,
  type ContenderRedis,
  type Deployment,
  type DeployOptions,
} from './contender';

export type SocketIoAdapter = 'sharded' | 'streams';

const VARIANTS = {
  sharded: {
    name: 'socketio',
    label: 'socket.io + sharded adapter',
    description:
      'socket.io 4 with `@socket.io/redis-adapter` (sharded adapter, Redis 7 sharded pub/sub, dynamic subscription mode), WebSocket transport only, rooms per conversation; no auth, no persistence, no resume.',
  },
  streams: {
    name: 'socketio-streams',
    label: 'socket.io + streams adapter',
    description:
      "socket.io 4 with `@socket.io/redis-streams-adapter` (every broadcast appended to one Redis stream that every instance reads, `onlyPlaintext`) and connection state recovery (sessions and missed packets kept 2 minutes): a client that reconnects sends its session id and the offset of the last packet it received, and rejoins its room only when the server did not restore its session. WebSocket transport only, rooms per conversation; no auth, no persistence beyond the stream's last 10,000 entries.",
  },
} as const satisfies Record<
  SocketIoAdapter,
  { name: ContenderName; label: string; description: string }
>;

/** socket.io 4 over Redis with one of its two adapters, a minimal chat server per instance. */
export class SocketIoContender implements Contender {
  readonly name: ContenderName;
  readonly label: string;
  readonly description: string;
  readonly kind = 'socketio' as const;
  readonly maxInstances = 2;
  private redisServer: RedisServer | null = null;

  constructor(private readonly adapter: SocketIoAdapter) {
    ({ name: this.name, label: this.label, description: this.description } = VARIANTS[adapter]);
  }

  async setUp(): Promise<void> {
    this.redisServer = await RedisServer.start();
  }

  async deploy(options: DeployOptions): Promise<Deployment> {
    const redis = this.redisServer;
    if (!redis) throw new Error('set up first');
    const servers: ServerProcess[] = [];
    const inspectPorts: Array<number | null> = [];
    for (let instance = 0; instance < options.instances; instance++) {
      const port = await freePort();
      const inspectPort = options.inspect ? await freePort() : null;
      inspectPorts.push(inspectPort);
      servers.push(
        await ServerProcess.start({
          label: `${this.name} #${instance + 1}`,
          entry: join(BENCH_DIST, 'servers/socketio-server.js'),
          port,
          environment: {
            REDIS_URL: redis.url,
            HEARTBEAT_MS: String(options.heartbeatMs),
            SOCKETIO_ADAPTER: this.adapter,
          },
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

  redis(): ContenderRedis | null {
    return this.redisServer ? { topology: 'node', urls: [this.redisServer.url] } : null;
  }

  helperPids(): number[] {
    return this.redisServer?.pid ? [this.redisServer.pid] : [];
  }

  async tearDown(): Promise<void> {
    await this.redisServer?.dispose();
    this.redisServer = null;
  }
}
