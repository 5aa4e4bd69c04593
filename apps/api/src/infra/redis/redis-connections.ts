import type Redis from 'ioredis';

/** What an observer (metrics) hears of the Redis connections, without knowing ioredis. */
export interface ConnectionObserver {
  error(connection: string): void;
  /** The connection became ready (`true`) or stopped being ready (`false`). */
  status(connection: string, ready: boolean): void;
}

/** The Redis connections of this replica, by name, for whoever watches their health. */
export class RedisConnections {
  private readonly connections = new Map<string, Redis>();
  private readonly observers: ConnectionObserver[] = [];

  register(name: string, client: Redis): void {
    this.connections.set(name, client);
    for (const observer of this.observers) watch(name, client, observer);
  }

  /** Watches every connection, those registered later included. */
  observe(observer: ConnectionObserver): void {
    this.observers.push(observer);
    for (const [name, client] of this.connections) watch(name, client, observer);
  }
}

function watch(name: string, client: Redis, observer: ConnectionObserver): void {
  client.on('error', () => observer.error(name));
  const report = () => observer.status(name, client.status === 'ready');
  report();
  for (const event of ['ready', 'close', 'reconnecting', 'end']) client.on(event, report);
}
