import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type ServerFrame } from '@chat/protocol';
import {
  decodeEnvelope,
  encodeEnvelope,
  type EnvelopeHeader,
} from '../../../infra/realtime/envelope';
import { RealtimeBus } from '../../../infra/realtime/realtime-bus';
import { ReplicaIdentity } from '../../../infra/realtime/replica-identity';
import { MetricsService } from '../../metrics/metrics.service';
import {
  type ControlEvent,
  type ControlHeader,
  type FrameHeader,
  type RoomMember,
  toDelivery,
} from './room-events';

/**
 * The rooms of this replica and their local members, joined to the bus: the first local member
 * of a room subscribes this replica to it, the last one to leave unsubscribes it. Every event,
 * including those published here, arrives through the bus, so there is one delivery path.
 * A payload is decoded once per replica, by its header only; its frame goes to every member as
 * the bytes that came.
 */
@Injectable()
export class RoomHub implements OnModuleInit {
  private readonly logger = new Logger(RoomHub.name);
  private readonly members = new Map<string, Set<RoomMember>>();
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(
    private readonly bus: RealtimeBus,
    private readonly replica: ReplicaIdentity,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.bus.setHandler((room, payload) => this.dispatch(room, payload));
  }

  /** Resolves once the member will receive every event published to the room from now on. */
  async join(room: string, member: RoomMember): Promise<void> {
    let members = this.members.get(room);
    if (!members) {
      members = new Set();
      this.members.set(room, members);
      const subscribed = this.bus.subscribe(room);
      this.subscribing.set(room, subscribed);
      subscribed
        .finally(() => {
          if (this.subscribing.get(room) === subscribed) this.subscribing.delete(room);
        })
        .catch(() => undefined);
    }
    members.add(member);
    try {
      await this.subscribing.get(room);
    } catch (error) {
      this.leave(room, member);
      throw error;
    }
  }

  leave(room: string, member: RoomMember): void {
    const members = this.members.get(room);
    if (!members?.delete(member) || members.size > 0) return;
    this.members.delete(room);
    this.subscribing.delete(room);
    this.bus
      .unsubscribe(room)
      .catch((error: unknown) => this.logger.warn({ err: error }, `unsubscribe ${room} failed`));
  }

  /** A frame for every member of the room, on every replica (but the sockets of `exceptUserId`). */
  publishFrame(room: string, frame: ServerFrame, exceptUserId?: string): Promise<void> {
    const header: FrameHeader = {
      ...this.stamp(),
      kind: 'frame',
      event: frame.event,
      ...(exceptUserId === undefined ? {} : { exceptUserId }),
    };
    return this.bus.publish(room, encodeEnvelope(header, JSON.stringify(frame)));
  }

  publishControl(room: string, control: ControlEvent): Promise<void> {
    const header: ControlHeader = { ...this.stamp(), kind: 'control' };
    return this.bus.publish(room, encodeEnvelope(header, JSON.stringify(control)));
  }

  onRecovered(listener: () => void): void {
    this.bus.onRecovered(listener);
  }

  private stamp(): Pick<EnvelopeHeader, 'origin' | 'publishedAt'> {
    return { origin: this.replica.id, publishedAt: Date.now() };
  }

  private dispatch(room: string, payload: Buffer): void {
    this.metrics.payloadsReceived.inc();
    const members = this.members.get(room);
    if (!members?.size) return;
    const envelope = decodeEnvelope(payload);
    const delivery = envelope && toDelivery(envelope);
    if (!envelope || !delivery) {
      this.logger.warn(`dropped an unreadable payload on ${room}`);
      return;
    }
    this.metrics.fanoutLatency.observe(
      Math.max(0, Date.now() - envelope.header.publishedAt) / 1000,
    );
    for (const member of members) {
      try {
        member.receive(delivery);
      } catch (error) {
        this.logger.error({ err: error }, `delivery to a member of ${room} failed`);
      }
    }
  }
}
