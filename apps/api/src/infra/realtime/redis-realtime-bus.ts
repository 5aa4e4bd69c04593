import { Logger } from '@nestjs/common';
import calculateSlot from 'cluster-key-slot';
import Redis, { Cluster } from 'ioredis';
import { nodeKey, pingWhileReady, type RedisClient } from '../redis/redis-client';
import { type RedisConnections } from '../redis/redis-connections';
import { redisChannels } from '../redis/redis-keys';
import { type PayloadHandler, RealtimeBus } from './realtime-bus';

/** The subscriber connection of a single node (direct or through Sentinel). */
const SINGLE_NODE = 'single';
const RECONNECT = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000);

/** One subscriber connection and the channels it holds. */
interface Subscriber {
  node: string;
  client: Redis;
  channels: Set<string>;
  /** Settles once the first connection attempt did. */
  connected: Promise<void>;
  readyOnce: boolean;
}

/**
 * Pub/sub over Redis with sharded channels (`SPUBLISH`/`SSUBSCRIBE`), one per room
 * (`chat:room:{<room>}`), decision 0005 and 0019. Publishing uses the shared command connection,
 * which routes a Cluster's publications to the master of the channel's slot. Receiving uses
 * subscriber connections of their own: one on a single node (made with `duplicate()`, so it
 * follows Sentinel to the master), one per master on a Cluster, each holding the channels whose
 * slots that master serves. The bus keeps the set of rooms it wants and places every one again
 * whenever a subscriber connection comes back or the Cluster's slot map says a slot moved (a
 * failover, a resharding), then tells listeners that payloads may have been missed, so cursors
 * read what they missed from the log.
 */
export class RedisRealtimeBus extends RealtimeBus {
  private readonly logger = new Logger(RedisRealtimeBus.name);
  private readonly wanted = new Set<string>();
  private readonly placement = new Map<string, Subscriber>();
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly recoveredListeners: Array<() => void> = [];
  private handler: PayloadHandler = () => undefined;
  private lastLoggedAt = 0;
  private closed = false;
  private reconciling: Promise<void> = Promise.resolve();

  constructor(
    private readonly publisher: RedisClient,
    private readonly connections: RedisConnections,
  ) {
    super();
    if (publisher instanceof Cluster) {
      publisher.on('refresh', () => this.schedule(() => this.reconcile()));
    }
  }

  async connect(): Promise<void> {
    if (this.publisher instanceof Cluster) {
      const masters = this.publisher.nodes('master');
      await Promise.all(masters.map((node) => this.subscriberOf(nodeKey(node)).connected));
    } else {
      await this.subscriberOf(SINGLE_NODE).connected;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wanted.clear();
    await Promise.all(
      [...this.subscribers.values()].map((subscriber) => this.drop(subscriber, 'quit')),
    );
  }

  setHandler(handler: PayloadHandler): void {
    this.handler = handler;
  }

  async subscribe(room: string): Promise<void> {
    const channel = redisChannels.room(room);
    this.wanted.add(channel);
    const node = this.ownerOf(channel);
    // No master serves the slot right now: the next slot map places it.
    if (node === null) return;
    await this.place(channel, this.subscriberOf(node));
  }

  async unsubscribe(room: string): Promise<void> {
    const channel = redisChannels.room(room);
    this.wanted.delete(channel);
    const subscriber = this.placement.get(channel);
    this.placement.delete(channel);
    if (!subscriber) return;
    subscriber.channels.delete(channel);
    if (subscriber.client.status === 'ready') await subscriber.client.sunsubscribe(channel);
  }

  async publish(room: string, payload: Buffer): Promise<void> {
    await this.publisher.spublish(redisChannels.room(room), payload);
  }

  onRecovered(listener: () => void): void {
    this.recoveredListeners.push(listener);
  }

  subscribedRooms(): string[] {
    return [...this.wanted].map((channel) => redisChannels.roomOf(channel));
  }

  /** Where the bus holds each room's subscription (`host:port` of a master), for tests. */
  subscriptionNodes(): Map<string, string> {
    return new Map(
      [...this.placement].map(([channel, subscriber]) => [
        redisChannels.roomOf(channel),
        subscriber.node,
      ]),
    );
  }

  /** The master that serves the channel's slot now, or null when none does. */
  private ownerOf(channel: string): string | null {
    if (!(this.publisher instanceof Cluster)) return SINGLE_NODE;
    return this.publisher.slots[calculateSlot(channel)]?.[0] ?? null;
  }

  private subscriberOf(node: string): Subscriber {
    const existing = this.subscribers.get(node);
    if (existing) return existing;
    const client = this.newConnection(node);
    const subscriber: Subscriber = {
      node,
      client,
      channels: new Set(),
      connected: client.connect().catch(() => undefined),
      readyOnce: false,
    };
    this.subscribers.set(node, subscriber);
    this.connections.register('subscriber', client);
    client.on('error', (error: Error) => {
      // A master that gives a slot away unsubscribes its channels itself (ioredis, which did not
      // ask, reports a queue error); the slot map places them again.
      if (error.message.includes('Last reply: sunsubscribe')) {
        this.logger.debug(`subscriber connection ${node}: a slot moved away`);
        return;
      }
      // While Redis is down every retry fails; one line every few seconds is enough.
      if (Date.now() - this.lastLoggedAt < 5_000) return;
      this.lastLoggedAt = Date.now();
      this.logger.warn({ err: error }, `subscriber connection ${node}: error`);
    });
    client.on('ready', () => {
      if (!subscriber.readyOnce) {
        subscriber.readyOnce = true;
        return;
      }
      this.schedule(() => this.resubscribe(subscriber));
    });
    client.on('smessageBuffer', (channel: Buffer, payload: Buffer) => {
      const name = channel.toString();
      if (this.placement.get(name) === subscriber)
        this.handler(redisChannels.roomOf(name), payload);
    });
    pingWhileReady(client);
    return subscriber;
  }

  private newConnection(node: string): Redis {
    const options = {
      connectionName: 'chat-api-subscriber',
      lazyConnect: true,
      // The bus subscribes again itself (see resubscribe): that also covers subscriptions that
      // failed while the connection was down, and places every channel where its slot now is.
      autoResubscribe: false,
      enableOfflineQueue: false,
      retryStrategy: RECONNECT,
    };
    if (!(this.publisher instanceof Cluster)) return this.publisher.duplicate(options);
    const master = this.publisher.nodes('master').find((candidate) => nodeKey(candidate) === node);
    if (master) return master.duplicate(options);
    // A master the slot map names before the Cluster client made its connection to it.
    const at = node.lastIndexOf(':');
    return new Redis({
      ...this.publisher.options.redisOptions,
      ...options,
      host: node.slice(0, at),
      port: Number(node.slice(at + 1)),
    });
  }

  /** Subscribes `channel` on `subscriber` (moving it there from where it was). */
  private async place(channel: string, subscriber: Subscriber): Promise<void> {
    const previous = this.placement.get(channel);
    this.placement.set(channel, subscriber);
    subscriber.channels.add(channel);
    if (previous && previous !== subscriber) {
      previous.channels.delete(channel);
      // The old master may be gone, or have unsubscribed it when the slot left (Redis does).
      if (previous.client.status === 'ready')
        previous.client.sunsubscribe(channel).catch(() => undefined);
    }
    await subscriber.connected;
    // While disconnected the subscription is made on reconnect (see resubscribe).
    if (subscriber.client.status === 'ready' && this.placement.get(channel) === subscriber)
      await subscriber.client.ssubscribe(channel);
  }

  /** The connection came back: its channels again, then the catch-up. */
  private async resubscribe(subscriber: Subscriber): Promise<void> {
    if (this.closed || this.subscribers.get(subscriber.node) !== subscriber) return;
    const channels = [...subscriber.channels];
    // A Cluster takes one slot per SSUBSCRIBE; a single node any channels at once.
    if (this.publisher instanceof Cluster)
      await Promise.all(channels.map((channel) => subscriber.client.ssubscribe(channel)));
    else if (channels.length) await subscriber.client.ssubscribe(...channels);
    this.logger.log(`resubscribed to ${channels.length} rooms after a reconnect`);
    this.recovered();
  }

  /**
   * The Cluster's slot map changed (or was read again): every channel whose slot another master
   * serves now moves there; masters that serve nothing any more lose their connection.
   */
  private async reconcile(): Promise<void> {
    if (this.closed || !(this.publisher instanceof Cluster)) return;
    const moves: Array<Promise<void>> = [];
    for (const channel of this.wanted) {
      const node = this.ownerOf(channel);
      if (node === null || this.placement.get(channel)?.node === node) continue;
      moves.push(this.place(channel, this.subscriberOf(node)));
    }
    const masters = new Set(this.publisher.nodes('master').map(nodeKey));
    for (const subscriber of [...this.subscribers.values()]) {
      if (!masters.has(subscriber.node) && !subscriber.channels.size)
        await this.drop(subscriber, 'disconnect');
    }
    if (!moves.length) return;
    await Promise.all(moves);
    this.logger.log(`moved ${moves.length} rooms to the masters that serve their slots now`);
    this.recovered();
  }

  private async drop(subscriber: Subscriber, how: 'quit' | 'disconnect'): Promise<void> {
    this.subscribers.delete(subscriber.node);
    this.connections.unregister('subscriber', subscriber.client);
    if (how === 'quit') await subscriber.client.quit().catch(() => subscriber.client.disconnect());
    else subscriber.client.disconnect();
  }

  private recovered(): void {
    for (const listener of this.recoveredListeners) listener();
  }

  /** Runs placement changes one after another, so that two never interleave. */
  private schedule(task: () => Promise<void>): void {
    this.reconciling = this.reconciling
      .then(task)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'resubscribe failed'));
  }
}
