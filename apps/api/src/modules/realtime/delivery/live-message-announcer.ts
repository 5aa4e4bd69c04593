import { Injectable } from '@nestjs/common';
import { envelopeAround } from '../../../infra/realtime/envelope';
import { RealtimeBus } from '../../../infra/realtime/realtime-bus';
import { ReplicaIdentity } from '../../../infra/realtime/replica-identity';
import { type AnnouncementTemplate, MessageAnnouncer } from '../../chat/message.repository';
import { MESSAGE_FRAME_TAIL, type MessageHeader, messageFrameHead, rooms } from './room-events';

/**
 * How the message store announces what it appends: to the conversation's room, as an envelope
 * whose body is the finished `message.new` frame. The frame is encoded once, by the store at the
 * writer; receiving replicas pass its bytes on without parsing the message.
 */
@Injectable()
export class LiveMessageAnnouncer extends MessageAnnouncer {
  constructor(
    private readonly replica: ReplicaIdentity,
    private readonly bus: RealtimeBus,
  ) {
    super();
  }

  template(conversationId: string): AnnouncementTemplate {
    const header: Omit<MessageHeader, 'seq'> = {
      origin: this.replica.id,
      publishedAt: Date.now(),
      kind: 'message',
      conversationId,
    };
    const { head, middle } = envelopeAround(header, 'seq');
    return {
      room: rooms.conversation(conversationId),
      head,
      middle: middle + messageFrameHead(conversationId),
      tail: MESSAGE_FRAME_TAIL,
    };
  }

  publish(room: string, payload: Buffer): void {
    // In process the publication is synchronous up to the broker: the append's order holds.
    void this.bus.publish(room, payload);
  }
}
