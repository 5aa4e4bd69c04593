import { type RoomEnvelope } from './room-event';

export type EnvelopeHandler = (envelope: RoomEnvelope) => void;

/**
 * Carries room events between replicas. A replica subscribes to a room only while it has
 * local members in it, and receives what any replica (itself included) publishes there.
 */
export abstract class RealtimeBus {
  /** This replica's id, stamped on what it publishes. */
  abstract readonly instanceId: string;
  abstract setHandler(handler: EnvelopeHandler): void;
  /** Resolves once events published to `room` from now on will be received. */
  abstract subscribe(room: string): Promise<void>;
  abstract unsubscribe(room: string): Promise<void>;
  abstract publish(envelope: RoomEnvelope): Promise<void>;
  /** Called after the bus lost its subscriptions and got them back: events may have been missed. */
  abstract onRecovered(listener: () => void): void;
  /** Rooms this replica is subscribed to (for tests and diagnostics). */
  abstract subscribedRooms(): string[];
}
