import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../../modules/metrics/metrics.service';
import { RealtimeBus } from './realtime-bus';
import {
  type MessageAnnouncement,
  type RoomEnvelope,
  type RoomEvent,
  type RoomMember,
} from './room-event';

/**
 * The rooms of this replica and their local members, joined to the bus: the first local member
 * of a room subscribes this replica to it, the last one to leave unsubscribes it. Every event,
 * including those published here, arrives through the bus, so there is one delivery path.
 */
@Injectable()
export class RoomHub implements OnModuleInit {
  private readonly logger = new Logger(RoomHub.name);
  private readonly members = new Map<string, Set<RoomMember>>();
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(
    private readonly bus: RealtimeBus,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.bus.setHandler((envelope) => this.dispatch(envelope));
  }

  get instanceId(): string {
    return this.bus.instanceId;
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
    this.bus.unsubscribe(room).catch((error: unknown) => {
      this.logger.warn(
        `unsubscribe ${room} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  isMember(room: string, member: RoomMember): boolean {
    return this.members.get(room)?.has(member) ?? false;
  }

  /** Rooms that have members on this replica. */
  localRooms(): string[] {
    return [...this.members.keys()];
  }

  publish(room: string, event: RoomEvent): Promise<void> {
    return this.bus.publish({ room, origin: this.bus.instanceId, publishedAt: Date.now(), event });
  }

  /** How a message stored now is announced from this replica (see MessageRepository.append). */
  messageAnnouncement(): MessageAnnouncement {
    return { origin: this.bus.instanceId, publishedAt: Date.now() };
  }

  onRecovered(listener: () => void): void {
    this.bus.onRecovered(listener);
  }

  private dispatch(envelope: RoomEnvelope): void {
    const members = this.members.get(envelope.room);
    if (!members?.size) return;
    this.metrics.fanoutLatency.observe(Math.max(0, Date.now() - envelope.publishedAt) / 1000);
    for (const member of members) {
      try {
        member.deliver(envelope.event, envelope.room);
      } catch (error) {
        this.logger.error(
          `delivery to a member of ${envelope.room} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
