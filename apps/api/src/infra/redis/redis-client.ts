import { Logger } from '@nestjs/common';
import Redis, {
  type ChainableCommander,
  type ClusterOptions,
  type Command,
  Cluster,
  type RedisOptions,
  type SentinelAddress,
} from 'ioredis';
import { type RedisConnectionOptions } from '../../config/app-config';
import { toStoreError } from './redis-errors';

/** A connection to Redis in any mode: one node (direct or found through Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

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
/**
 * A Cluster client asks for the slot map this often, besides whenever a node answers MOVED: a
 * slot that moved or a replica promoted is noticed within this time even by a connection that
 * sends nothing (the bus's sharded subscriptions follow the map).
 */
export const CLUSTER_SLOTS_REFRESH_MS = 1_000;

function nodeOptions(): RedisOptions {
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
    // and on Cluster it runs commands of different requests as one pipeline. Commands sent
    // together still share the connection without waiting for each other; explicit pipelines
    // batch the rest.
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
    mapRejection(command);
    return super.sendCommand(command, stream);
  }
}

/**
 * The same for a Cluster. The rejection is mapped before the Cluster wraps it with its own
 * redirection handling (MOVED, ASK, TRYAGAIN are followed by ioredis), so only what is left
 * after those reaches the API, as an `UnavailableError` when it is an outage.
 */
export class StoreCluster extends Cluster {
  override sendCommand(command: Command, stream?: unknown, node?: unknown): unknown {
    mapRejection(command);
    return (super.sendCommand as (...args: unknown[]) => unknown)(command, stream, node);
  }
}

const MAPPING = Symbol('maps store errors');

/**
 * Maps the command's rejection, once per promise: a command sent again (a Cluster pipeline
 * retried after a redirection) gets a new promise and is mapped again.
 */
function mapRejection(command: Command): void {
  const reject = command.reject as Command['reject'] & { [MAPPING]?: true };
  if (reject[MAPPING]) return;
  const mapped = Object.assign((error: Error) => reject(toStoreError(error)), { [MAPPING]: true });
  command.reject = mapped;
}

function sentinelAddresses(options: { sentinels: { host: string; port: number }[] }) {
  return options.sentinels.map(({ host, port }): Partial<SentinelAddress> => ({ host, port }));
}

/**
 * Creates a client for the configured mode, with an error listener (an unhandled `error` event
 * would crash the process), logging, and a ping while it is ready.
 */
export function createRedisClient(options: RedisConnectionOptions, name: string): RedisClient {
  const settings: RedisOptions = { ...nodeOptions(), connectionName: name };
  let client: RedisClient;
  switch (options.mode) {
    case 'single':
      client =
        'url' in options
          ? new StoreConnection(options.url, settings)
          : new StoreConnection({
              ...settings,
              host: options.host,
              port: options.port,
              username: options.username,
              password: options.password,
            });
      break;
    case 'sentinel':
      client = new StoreConnection({
        ...settings,
        sentinels: sentinelAddresses(options),
        name: options.masterName,
        role: 'master',
        username: options.username,
        password: options.password,
        sentinelUsername: options.sentinelUsername,
        sentinelPassword: options.sentinelPassword,
        // Sentinels announce a failover (+switch-master): reconnect to the new master at once
        // rather than when the old one stops answering.
        failoverDetector: true,
        sentinelRetryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
        // A node that was master and came back as a replica refuses writes: find the master
        // again (the command fails; its retry reaches the new master).
        reconnectOnError: (error) => error.message.startsWith('READONLY'),
      });
      break;
    case 'cluster':
      client = new StoreCluster(
        options.nodes.map(({ host, port }) => ({ host, port })),
        clusterOptions(settings, options),
      );
      break;
  }
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

function clusterOptions(
  settings: RedisOptions,
  options: Extract<RedisConnectionOptions, { mode: 'cluster' }>,
): ClusterOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    // Off, as on a node (see nodeOptions): ioredis does not send an automatic pipeline again
    // after a MOVED or a closed connection once one of its writes went through, while single
    // commands are followed to the slot's new master (and so are explicit pipelines: one slot,
    // reads only).
    enableAutoPipelining: false,
    scaleReads: 'master',
    slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_MS,
    slotsRefreshTimeout: 2_000,
    // A failover, a slot in migration or a cluster reconfiguring: retried within the request's
    // budget (a few tries over a few hundred ms), then the request fails with 503.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 50,
    maxRedirections: 8,
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
    redisOptions: {
      ...settings,
      username: options.username,
      password: options.password,
    },
  };
}

/**
 * Connects the client; a Cluster also connects to every master it found (ioredis connects to a
 * node on its first command, and a Cluster without an offline queue refuses commands to a node
 * still connecting, retrying them elsewhere: the first commands could then overtake each other).
 */
export async function connectRedisClient(client: RedisClient): Promise<void> {
  await client.connect();
  if (client instanceof Cluster)
    await Promise.all(client.nodes('master').map((node) => node.ping()));
}

/**
 * Pings `client` every {@link REDIS_PING_INTERVAL_MS} while it is ready, until it ends: with
 * `socketTimeout`, a connection that stopped answering is noticed within a few seconds even when
 * nothing else is sent on it. A Cluster pings every master it knows. Connections made with
 * `duplicate()` need their own call.
 */
export function pingWhileReady(client: RedisClient): void {
  const timer = setInterval(() => {
    if (client.status !== 'ready') return;
    // A failed ping needs nothing more: the socket timeout or the reconnect takes it from here.
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    for (const node of nodes) {
      if (node.status === 'ready') node.ping().catch(() => undefined);
    }
  }, REDIS_PING_INTERVAL_MS);
  timer.unref();
  client.once('end', () => clearInterval(timer));
}

/** `host:port` of a node connection, as a Cluster's slot map names nodes. */
export function nodeKey(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

/**
 * Runs a pipeline and returns its replies in order; rejects with the first command's error. On a
 * Cluster a pipeline goes to one node: its keys must share a slot (or else use separate commands,
 * which automatic pipelining batches per node).
 */
export async function pipelineReplies<T>(pipeline: ChainableCommander): Promise<T[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply as T;
  });
}
