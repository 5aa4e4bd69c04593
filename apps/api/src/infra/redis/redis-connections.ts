import { type RedisClient } from './redis-client';

/** What an observer (metrics) hears of the Redis connections, without knowing ioredis. */
export interface ConnectionObserver {
  error(connection: string): void;
  /**
   * The connections of that name all became ready (`true`) or one stopped being ready
   * (`false`).
   */
  status(connection: string, ready: boolean): void;
}

/**
 * The Redis connections of this replica, by name, for whoever watches their health. A name may
 * stand for several connections (the bus subscribes on every master of a Cluster): it is ready
 * while all of them are.
 */
export class RedisConnections {
  private readonly connections = new Map<string, Set<RedisClient>>();
  private readonly observers: ConnectionObserver[] = [];

  register(name: string, client: RedisClient): void {
    let clients = this.connections.get(name);
    if (!clients) {
      clients = new Set();
      this.connections.set(name, clients);
    }
    clients.add(client);
    for (const observer of this.observers) this.watch(name, client, observer);
  }

  /** Forgets a connection (ended for good); the others of its name decide its status. */
  unregister(name: string, client: RedisClient): void {
    const clients = this.connections.get(name);
    if (!clients?.delete(client)) return;
    for (const observer of this.observers) observer.status(name, this.ready(name));
  }

  /** Watches every connection, those registered later included. */
  observe(observer: ConnectionObserver): void {
    this.observers.push(observer);
    for (const [name, clients] of this.connections)
      for (const client of clients) this.watch(name, client, observer);
  }

  private ready(name: string): boolean {
    return [...(this.connections.get(name) ?? [])].every((client) => client.status === 'ready');
  }

  private watch(name: string, client: RedisClient, observer: ConnectionObserver): void {
    client.on('error', () => observer.error(name));
    const report = () => {
      if (this.connections.get(name)?.has(client)) observer.status(name, this.ready(name));
    };
    report();
    for (const event of ['ready', 'close', 'reconnecting', 'end']) client.on(event, report);
  }
}
