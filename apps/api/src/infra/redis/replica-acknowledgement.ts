import calculateSlot from 'cluster-key-slot';
import type Redis from 'ioredis';
import { Cluster } from 'ioredis';
import { UnavailableError } from '../../common/domain-errors';
import { type ReplicaAcknowledgement } from '../../config/app-config';
import { type LuaScript } from './lua-script';
import { nodeKey, type RedisClient } from './redis-client';
import { toStoreError } from './redis-errors';

type Argument = string | number | Buffer;

/**
 * Writes that are acknowledged only once replicas have them (REDIS_MIN_REPLICAS_ACK): the script
 * runs on a connection of its own, then `WAIT` on that connection until enough replicas have
 * everything written before it. `WAIT` blocks the connection it is sent on, hence the separate
 * connection (the shared one goes on serving reads); concurrent writes share one `WAIT` (a `WAIT`
 * sent after a write was answered covers it). With 0 replicas the script runs on the shared
 * connection and nothing waits.
 */
export class ReplicatedWrites {
  private readonly waiters = new WeakMap<Redis, ReplicaWaiter>();

  constructor(
    private readonly shared: RedisClient,
    /** The connection for these writes; null when no replica is waited for. */
    private readonly own: RedisClient | null,
    private readonly acknowledgement: ReplicaAcknowledgement,
  ) {}

  /** Whether a write is acknowledged by replicas (and announced only afterwards). */
  get waitsForReplicas(): boolean {
    return this.own !== null && this.acknowledgement.replicas > 0;
  }

  async run<T>(script: LuaScript, keys: readonly string[], args: readonly Argument[]): Promise<T> {
    if (!this.own || !this.waitsForReplicas) return script.run<T>(this.shared, keys, args);
    const reply = await script.run<T>(this.own, keys, args);
    await this.waiterFor(this.own, keys[0]!).wait();
    return reply;
  }

  private waiterFor(client: RedisClient, key: string): ReplicaWaiter {
    let node: Redis | undefined;
    if (client instanceof Cluster) {
      // The master that answered the script: the slot map was updated by any MOVED on the way.
      const owner = client.slots[calculateSlot(key)]?.[0];
      node = client.nodes('master').find((candidate) => nodeKey(candidate) === owner);
      if (!node) throw new UnavailableError();
    } else {
      node = client;
    }
    let waiter = this.waiters.get(node);
    if (!waiter) {
      waiter = new ReplicaWaiter(node, this.acknowledgement);
      this.waiters.set(node, waiter);
    }
    return waiter;
  }
}

/** One connection's `WAIT`s, coalesced: at most one in flight and one queued behind it. */
class ReplicaWaiter {
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly connection: Redis,
    private readonly acknowledgement: ReplicaAcknowledgement,
  ) {}

  /** Resolves once enough replicas have every write this connection had answered before now. */
  wait(): Promise<void> {
    if (!this.inFlight) {
      const sent = this.send();
      this.inFlight = sent;
      const clear = () => {
        if (this.inFlight === sent) this.inFlight = null;
      };
      sent.then(clear, clear);
      return sent;
    }
    // The WAIT in flight may have been sent before the caller's write was answered: the caller
    // needs the next one, which every caller arriving meanwhile shares.
    this.queued ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.wait();
      });
    return this.queued;
  }

  private async send(): Promise<void> {
    const { replicas, timeoutMs } = this.acknowledgement;
    // A node connection of a Cluster is ioredis's own: its failures are mapped here.
    const acknowledged = await this.connection.wait(replicas, timeoutMs).catch((error: Error) => {
      throw toStoreError(error);
    });
    if (acknowledged < replicas) {
      const error = new UnavailableError();
      error.cause = new Error(
        `${acknowledged} of ${replicas} replicas acknowledged in ${timeoutMs} ms`,
      );
      throw error;
    }
  }
}
