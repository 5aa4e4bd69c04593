import { type PayloadHandler, RealtimeBus } from './realtime-bus';

/** In-process pub/sub between the buses attached to it (one per replica). */
export class MemoryBroker {
  private readonly buses = new Set<MemoryRealtimeBus>();

  attach(bus: MemoryRealtimeBus): void {
    this.buses.add(bus);
  }

  detach(bus: MemoryRealtimeBus): void {
    this.buses.delete(bus);
  }

  publish(room: string, payload: Buffer): void {
    for (const bus of this.buses) bus.receive(room, payload);
  }
}

/**
 * The embedded engine's bus: the same per-room subscribe/publish contract as the Redis bus, in
 * one process. Delivery is asynchronous, as it is over Redis, and in publication order.
 */
export class MemoryRealtimeBus extends RealtimeBus {
  private handler: PayloadHandler = () => undefined;
  private readonly rooms = new Set<string>();

  constructor(private readonly broker: MemoryBroker = new MemoryBroker()) {
    super();
    broker.attach(this);
  }

  setHandler(handler: PayloadHandler): void {
    this.handler = handler;
  }

  async subscribe(room: string): Promise<void> {
    this.rooms.add(room);
  }

  async unsubscribe(room: string): Promise<void> {
    this.rooms.delete(room);
  }

  async publish(room: string, payload: Buffer): Promise<void> {
    this.broker.publish(room, payload);
  }

  onRecovered(): void {
    // Nothing is ever lost in process.
  }

  subscribedRooms(): string[] {
    return [...this.rooms];
  }

  receive(room: string, payload: Buffer): void {
    if (!this.rooms.has(room)) return;
    setImmediate(() => {
      if (this.rooms.has(room)) this.handler(room, payload);
    });
  }

  close(): void {
    this.broker.detach(this);
  }
}
