import { Injectable } from '@nestjs/common';
import { type ClientConnection } from './client-connection';

const NONE: ReadonlySet<ClientConnection> = new Set();

/** The sockets open on this replica (until their cleanup has finished). */
@Injectable()
export class ConnectionRegistry {
  private readonly connections = new Set<ClientConnection>();
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private emptyWaiters: Array<() => void> = [];

  add(connection: ClientConnection): void {
    this.connections.add(connection);
    const userId = connection.user.id;
    let own = this.byUser.get(userId);
    if (!own) {
      own = new Set();
      this.byUser.set(userId, own);
    }
    own.add(connection);
  }

  remove(connection: ClientConnection): void {
    this.connections.delete(connection);
    const own = this.byUser.get(connection.user.id);
    if (own?.delete(connection) && own.size === 0) this.byUser.delete(connection.user.id);
    if (this.connections.size === 0) for (const wake of this.emptyWaiters.splice(0)) wake();
  }

  get size(): number {
    return this.connections.size;
  }

  all(): ClientConnection[] {
    return [...this.connections];
  }

  /** The sockets of one user on this replica. */
  ofUser(userId: string): ReadonlySet<ClientConnection> {
    return this.byUser.get(userId) ?? NONE;
  }

  /** Resolves true once no connection is left, false if `timeoutMs` passes first. */
  whenEmpty(timeoutMs: number): Promise<boolean> {
    if (this.connections.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.emptyWaiters = this.emptyWaiters.filter((waiter) => waiter !== wake);
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.emptyWaiters.push(wake);
    });
  }
}
