import Redis from 'ioredis';
import {
  freePort,
  RedisServer as LoopbackRedisServer,
  type RedisServerOptions,
} from '@chat/test-support';

/**
 * A real `redis-server` on a free loopback port, with a password and AOF on (fsync on every
 * write) so a restart keeps everything it acknowledged, and a client for assertions and cleanup.
 */
export class RedisServer extends LoopbackRedisServer {
  static override async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), { durable: true, ...options });
    await server.start();
    return server;
  }

  /** A plain client for assertions and cleanup. */
  client(): Redis {
    return new Redis(this.url);
  }
}
