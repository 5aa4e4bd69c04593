import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { redisChannels } from '../redis/redis-keys';
import { pingWhileReady } from '../redis/redis.module';
import { type PayloadHandler, RealtimeBus } from './realtime-bus';

/**
 * Pub/sub over Redis, one channel per room (`chat:room:<room>`). Publishing uses the shared
 * command connection; receiving uses one subscriber connection made with `duplicate()`, which
 * hands payloads over as the bytes Redis sent. The bus keeps the set of rooms it wants and
 * subscribes to all of them again whenever the subscriber connection comes back, then tells
 * listeners that payloads may have been missed.
 */
export class RedisRealtimeBus extends RealtimeBus {
  private readonly logger = new Logger(RedisRealtimeBus.name);
  private readonly subscriber: Redis;
  private readonly wanted = new Set<string>();
  private readonly recoveredListeners: Array<() => void> = [];
  private handler: PayloadHandler = () => undefined;
  private connectedOnce = false;

  constructor(private readonly publisher: Redis) {
    super();
    this.subscriber = publisher.duplicate({
      connectionName: 'chat-api-subscriber',
      // The bus resubscribes itself from `wanted`, which also covers subscriptions that failed
      // while the connection was down.
      autoResubscribe: false,
    });
    let lastLoggedAt = 0;
    this.subscriber.on('error', (error: Error) => {
      // While Redis is down every retry fails; one line every few seconds is enough.
      if (Date.now() - lastLoggedAt < 5_000) return;
      lastLoggedAt = Date.now();
      this.logger.warn({ err: error }, 'subscriber connection error');
    });
    this.subscriber.on('ready', () => this.onReady());
    pingWhileReady(this.subscriber);
    this.subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
      this.onMessage(channel.toString(), payload),
    );
  }

  /** The subscriber connection, for error accounting. */
  get subscriberConnection(): Redis {
    return this.subscriber;
  }

  async connect(): Promise<void> {
    await this.subscriber.connect();
  }

  async close(): Promise<void> {
    this.wanted.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  setHandler(handler: PayloadHandler): void {
    this.handler = handler;
  }

  async subscribe(room: string): Promise<void> {
    const channel = redisChannels.room(room);
    this.wanted.add(channel);
    // While disconnected the subscription is made on reconnect (see onReady).
    if (this.subscriber.status === 'ready') await this.subscriber.subscribe(channel);
  }

  async unsubscribe(room: string): Promise<void> {
    const channel = redisChannels.room(room);
    this.wanted.delete(channel);
    if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe(channel);
  }

  async publish(room: string, payload: Buffer): Promise<void> {
    await this.publisher.publish(redisChannels.room(room), payload);
  }

  onRecovered(listener: () => void): void {
    this.recoveredListeners.push(listener);
  }

  subscribedRooms(): string[] {
    return [...this.wanted].map((channel) => channel.slice(redisChannels.prefix.length));
  }

  private onReady(): void {
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      return;
    }
    const channels = [...this.wanted];
    const resubscribed = channels.length
      ? this.subscriber.subscribe(...channels)
      : Promise.resolve();
    resubscribed
      .then(() => {
        this.logger.log(`resubscribed to ${channels.length} rooms after a reconnect`);
        for (const listener of this.recoveredListeners) listener();
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'resubscribe failed'));
  }

  private onMessage(channel: string, payload: Buffer): void {
    if (!this.wanted.has(channel)) return;
    this.handler(channel.slice(redisChannels.prefix.length), payload);
  }
}
