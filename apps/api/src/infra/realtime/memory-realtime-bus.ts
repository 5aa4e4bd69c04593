import { randomUUID } from 'node:crypto';
import { type EnvelopeHandler, RealtimeBus } from './realtime-bus';
import { type RoomEnvelope } from './room-event';

/** In-process pub/sub between the buses attached to it (one per replica). */
export class MemoryBroker {
  private readonly buses = new Set<MemoryRealtimeBus>();

  attach(bus: MemoryRealtimeBus): void {
    this.buses.add(bus);
  }

  detach(bus: MemoryRealtimeBus): void {
    this.buses.delete(bus);
  }

  publish(text: string, room: string): void {
    for (const bus of this.buses) bus.receive(text, room);
  }
}

/**
 * The embedded engine's bus: the same per-room subscribe/publish contract as the Redis bus,
 * in one process. Delivery is asynchronous and goes through JSON, as it does over Redis.
 */
export class MemoryRealtimeBus extends RealtimeBus {
  readonly instanceId = randomUUID();
  private handler: EnvelopeHandler = () => undefined;
  private readonly rooms = new Set<string>();

  constructor(private readonly broker: MemoryBroker = new MemoryBroker()) {
    super();
    broker.attach(this);
  }

  setHandler(handler: EnvelopeHandler): void {
    this.handler = handler;
  }

  async subscribe(room: string): Promise<void> {
    this.rooms.add(room);
  }

  async unsubscribe(room: string): Promise<void> {
    this.rooms.delete(room);
  }

  async publish(envelope: RoomEnvelope): Promise<void> {
    this.broker.publish(JSON.stringify(envelope), envelope.room);
  }

  onRecovered(): void {
    // Nothing is ever lost in process.
  }

  subscribedRooms(): string[] {
    return [...this.rooms];
  }

  receive(text: string, room: string): void {
    if (!this.rooms.has(room)) return;
    setImmediate(() => {
      if (this.rooms.has(room)) this.handler(JSON.parse(text) as RoomEnvelope);
    });
  }

  close(): void {
    this.broker.detach(this);
  }
}
