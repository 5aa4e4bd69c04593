import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import Redis, { type ChainableCommander, type Command, type RedisOptions } from 'ioredis';
import { type RedisConnectionOptions } from '../../config/app-config';
import { RedisConnections } from './redis-connections';
import { toStoreError } from './redis-errors';

/** Injection token of the shared command connection. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

const logger = new Logger('Redis');

/**
 * A connection that has sent a command and heard nothing for this long is dead, whatever TCP
 * says: it is destroyed and made again. Without it, a partition that leaves the socket half-open
 * (a crashed host, a dropped NAT entry) keeps every command timing out, and a subscriber
 * connection, which sends no commands, deaf, until the kernel gives up some fifteen minutes on.
 */
export const REDIS_STALL_TIMEOUT_MS = 3_000;
/** Every connection pings this often, so that even an idle subscriber has a command to wait on. */
export const REDIS_PING_INTERVAL_MS = 1_000;

function connectionOptions(): RedisOptions {
  return {
    lazyConnect: true,
    // Fail fast while disconnected: a request answers 503 instead of hanging in a queue,
    // and nothing is acknowledged that Redis has not applied.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    socketTimeout: REDIS_STALL_TIMEOUT_MS,
    keepAlive: 10_000,
    // No auto-pipelining: with it, a connection cut while a batch is out can throw outside any
    // promise in ioredis ("results[i] is not iterable", redis/ioredis#1931) and kill the process,
    // and on Cluster it batches scripts of different slots (#2109). Commands sent together still
    // share the connection without waiting for each other; explicit pipelines batch the rest.
    enableAutoPipelining: false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
  };
}

/**
 * A command connection whose failed commands reject with what they mean to the API (see
 * {@link toStoreError}): an outage is an `UnavailableError` by the time it leaves this layer,
 * for single commands, scripts and pipelines alike (all of them pass through `sendCommand`).
 */
export class StoreConnection extends Redis {
  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const reject = command.reject;
    command.reject = (error: Error) => reject(toStoreError(error));
    return super.sendCommand(command, stream);
  }
}

/** Creates a client with an error listener (an unhandled `error` event would crash the process). */
export function createRedisClient(options: RedisConnectionOptions, name: string): Redis {
  const settings = { ...connectionOptions(), connectionName: name };
  const client =
    'url' in options
      ? new StoreConnection(options.url, settings)
      : new StoreConnection({
          ...settings,
          host: options.host,
          port: options.port,
          password: options.password,
        });
  let lastLoggedAt = 0;
  client.on('error', (error: Error) => {
    // While Redis is down every retry fails; one line every few seconds is enough.
    const now = Date.now();
    if (now - lastLoggedAt > 5_000) {
      lastLoggedAt = now;
      logger.warn({ err: error }, `${name}: connection error`);
    }
  });
  client.on('ready', () => logger.log(`${name}: connected`));
  pingWhileReady(client);
  return client;
}

/**
 * Pings `client` every {@link REDIS_PING_INTERVAL_MS} while it is ready, until it ends: with
 * `socketTimeout`, a connection that stopped answering is noticed within a few seconds even when
 * nothing else is sent on it. Connections made with `duplicate()` need their own call.
 */
export function pingWhileReady(client: Redis): void {
  const timer = setInterval(() => {
    // A failed ping needs nothing more: the socket timeout or the reconnect takes it from here.
    if (client.status === 'ready') client.ping().catch(() => undefined);
  }, REDIS_PING_INTERVAL_MS);
  timer.unref();
  client.once('end', () => clearInterval(timer));
}

/**
 * Rejects when the server behind `options` answers a client that gave no credentials: it holds
 * the sessions, so anyone who reaches it could sign in as anyone, an admin included.
 */
export async function assertRedisAsksForPassword(options: RedisConnectionOptions): Promise<void> {
  const settings = {
    lazyConnect: true,
    // The ready check (INFO) would fail on a guarded server before the PING is sent.
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 5_000,
    retryStrategy: () => null,
  };
  let anonymous: Redis;
  if ('url' in options) {
    const url = new URL(options.url);
    url.username = '';
    url.password = '';
    anonymous = new Redis(url.toString(), settings);
  } else {
    anonymous = new Redis({ ...settings, host: options.host, port: options.port });
  }
  anonymous.on('error', () => undefined);
  try {
    await anonymous.connect();
    const answered = await anonymous.ping().then(
      () => true,
      (error: Error) => !/NOAUTH|WRONGPASS|NOPERM/i.test(error.message),
    );
    if (answered) {
      throw new Error(
        'Redis answers clients without a password. It holds the sessions: set requirepass (or an ACL user with the default user off) and give the API the password',
      );
    }
  } finally {
    anonymous.disconnect();
  }
}

@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  /** `requireAuth`: refuse to start against a Redis that answers without a password. */
  static forRoot(
    options: RedisConnectionOptions,
    { requireAuth }: { requireAuth: boolean },
  ): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        RedisConnections,
        {
          provide: REDIS_CLIENT,
          inject: [RedisConnections],
          useFactory: async (connections: RedisConnections) => {
            if (requireAuth) await assertRedisAsksForPassword(options);
            const client = createRedisClient(options, 'chat-api');
            connections.register('command', client);
            await client.connect();
            return client;
          },
        },
      ],
      exports: [REDIS_CLIENT, RedisConnections],
    };
  }

  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** Runs a pipeline and returns its replies in order; rejects with the first command's error. */
export async function pipelineReplies<T>(pipeline: ChainableCommander): Promise<T[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply as T;
  });
}
