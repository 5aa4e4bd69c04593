import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { type RedisConnectionOptions } from '../../config/app-config';

/** Injection token of the shared command connection. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

const logger = new Logger('Redis');

function connectionOptions(): RedisOptions {
  return {
    lazyConnect: true,
    // Fail fast while disconnected: a request answers 503 instead of hanging in a queue,
    // and nothing is acknowledged that Redis has not applied.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    keepAlive: 10_000,
    // Concurrent commands from one request (list pages, unread counts) share a round trip.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
  };
}

/** Creates a client with an error listener (an unhandled `error` event would crash the process). */
export function createRedisClient(options: RedisConnectionOptions, name: string): Redis {
  const settings = { ...connectionOptions(), connectionName: name };
  const client =
    'url' in options
      ? new Redis(options.url, settings)
      : new Redis({
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
      logger.warn(`${name}: ${error.message}`);
    }
  });
  client.on('ready', () => logger.log(`${name}: connected`));
  return client;
}

@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  static forRoot(options: RedisConnectionOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS_CLIENT,
          useFactory: async () => {
            const client = createRedisClient(options, 'chat-api');
            await client.connect();
            return client;
          },
        },
      ],
      exports: [REDIS_CLIENT],
    };
  }

  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
