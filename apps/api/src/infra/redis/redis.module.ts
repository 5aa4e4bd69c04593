import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { type AppConfig, type RedisConnectionOptions } from '../../config/app-config';
import { connectRedisClient, createRedisClient, type RedisClient } from './redis-client';
import { RedisConnections } from './redis-connections';
import { RedisTopology } from './redis-topology';
import { ReplicatedWrites } from './replica-acknowledgement';

/** Injection token of the shared command connection (a {@link RedisClient}). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** The connections this module made, closed on shutdown. */
class OwnedConnections {
  readonly clients: RedisClient[] = [];
}

async function connect(
  config: AppConfig,
  connections: RedisConnections,
  owned: OwnedConnections,
  name: string,
  label: string,
): Promise<RedisClient> {
  const client = createRedisClient(config.redis!, label);
  owned.clients.push(client);
  connections.register(name, client);
  await connectRedisClient(client);
  return client;
}

/**
 * The one place that creates Redis connections: the shared command connection (a single node,
 * the master found through Sentinel, or a Cluster), the topology the stores split their work
 * by, and the connection for writes acknowledged by replicas.
 */
/**
 * Rejects when Redis answers a client that gave no credentials: it holds the sessions, so anyone
 * who reaches it could sign in as anyone, an admin included. In Sentinel mode the sentinels must
 * ask too (an open sentinel can be told to fail over, or to name another master).
 */
export async function assertRedisAsksForPassword(options: RedisConnectionOptions): Promise<void> {
  const settings: RedisOptions = {
    lazyConnect: true,
    // The ready check (INFO) would fail on a guarded server before the PING is sent.
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 5_000,
    retryStrategy: () => null,
  };
  const answersAnonymously = async (client: Redis): Promise<boolean> => {
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.ping().then(
        () => true,
        (error: Error) => !/NOAUTH|WRONGPASS|NOPERM/i.test(error.message),
      );
    } finally {
      client.disconnect();
    }
  };
  const refuse = (what: string) =>
    new Error(
      `${what} clients without a password. Redis holds the sessions: set requirepass (or an ACL user with the default user off) and give the API the password`,
    );
  switch (options.mode) {
    case 'single': {
      if ('url' in options) {
        const url = new URL(options.url);
        url.username = '';
        url.password = '';
        if (await answersAnonymously(new Redis(url.toString(), settings)))
          throw refuse('Redis answers');
      } else if (
        await answersAnonymously(new Redis({ ...settings, host: options.host, port: options.port }))
      ) {
        throw refuse('Redis answers');
      }
      return;
    }
    case 'sentinel': {
      const [sentinel] = options.sentinels;
      if (await answersAnonymously(new Redis({ ...settings, ...sentinel })))
        throw refuse('The sentinels answer');
      const master = new Redis({
        ...settings,
        sentinels: options.sentinels,
        name: options.masterName,
        sentinelUsername: options.sentinelUsername,
        sentinelPassword: options.sentinelPassword,
      });
      if (await answersAnonymously(master)) throw refuse('The Redis nodes answer');
      return;
    }
    case 'cluster': {
      const [node] = options.nodes;
      if (await answersAnonymously(new Redis({ ...settings, ...node })))
        throw refuse('The Redis nodes answer');
    }
  }
}

@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  /** In production, refuses to start against a Redis that answers without a password. */
  static forRoot(config: AppConfig): DynamicModule {
    const options = config.redis!;
    const requireAuth = config.nodeEnv === 'production';
    return {
      module: RedisModule,
      providers: [
        RedisConnections,
        OwnedConnections,
        { provide: RedisTopology, useValue: new RedisTopology(options.mode) },
        {
          provide: REDIS_CLIENT,
          inject: [RedisConnections, OwnedConnections],
          useFactory: async (connections: RedisConnections, owned: OwnedConnections) => {
            if (requireAuth) await assertRedisAsksForPassword(options);
            return connect(config, connections, owned, 'command', 'chat-api');
          },
        },
        {
          provide: ReplicatedWrites,
          inject: [REDIS_CLIENT, RedisConnections, OwnedConnections],
          useFactory: async (
            shared: RedisClient,
            connections: RedisConnections,
            owned: OwnedConnections,
          ) => {
            const own =
              config.replicaAck.replicas > 0
                ? await connect(config, connections, owned, 'acknowledged', 'chat-api-acknowledged')
                : null;
            return new ReplicatedWrites(shared, own, config.replicaAck);
          },
        },
      ],
      exports: [REDIS_CLIENT, RedisConnections, RedisTopology, ReplicatedWrites],
    };
  }

  constructor(private readonly owned: OwnedConnections) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.owned.clients.map((client) => client.quit().catch(() => client.disconnect())),
    );
  }
}
