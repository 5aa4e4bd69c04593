/** Receives what was published to a room this replica is subscribed to: opaque bytes. */
export type PayloadHandler = (room: string, payload: Buffer) => void;

/**
 * Carries payloads between replicas, per room. A replica subscribes to a room only while it has
 * local members in it, and receives what any replica (itself included) publishes there. What a
 * payload means is the business of the layer above.
 */
export abstract class RealtimeBus {
  abstract setHandler(handler: PayloadHandler): void;
  /** Resolves once payloads published to `room` from now on will be received. */
  abstract subscribe(room: string): Promise<void>;
  abstract unsubscribe(room: string): Promise<void>;
  abstract publish(room: string, payload: Buffer): Promise<void>;
  /** Called after the bus lost its subscriptions and got them back: payloads may have been missed. */
  abstract onRecovered(listener: () => void): void;
  /** Rooms this replica is subscribed to (for tests and diagnostics). */
  abstract subscribedRooms(): string[];
}
