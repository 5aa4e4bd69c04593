import { Injectable } from '@nestjs/common';
import { envelopeAround, type EnvelopeHeader } from '../../../infra/realtime/envelope';
import { RealtimeBus } from '../../../infra/realtime/realtime-bus';
import { ReplicaIdentity } from '../../../infra/realtime/replica-identity';
import {
  type MessageTemplate,
  StoreAnnouncer,
  type UnreadTemplate,
} from '../../chat/store-announcer.port';
import {
  type FrameHeader,
  MESSAGE_FRAME_TAIL,
  type MessageHeader,
  messageFrameHead,
  rooms,
} from './room-events';

/**
 * What the stores publish as they change: envelopes whose bodies are finished frames, encoded
 * once, by the store at the writer; receiving replicas pass the bytes on without parsing them.
 * - a message, to its conversation's room (`message.new`);
 * - a participant's new unread count, to their own room (`unread`, keyed by conversation so a
 *   busy socket gets only the latest per conversation).
 */
@Injectable()
export class LiveAnnouncer extends StoreAnnouncer {
  constructor(
    private readonly replica: ReplicaIdentity,
    private readonly bus: RealtimeBus,
  ) {
    super();
  }

  message(conversationId: string): MessageTemplate {
    const header: Omit<MessageHeader, 'seq'> = {
      ...this.stamp(),
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

  unread(conversationId: string): UnreadTemplate {
    const header: FrameHeader = {
      ...this.stamp(),
      kind: 'frame',
      event: 'unread',
      key: conversationId,
    };
    return {
      userRoomPrefix: rooms.user(''),
      head:
        `${JSON.stringify(header)}\n` +
        `{"event":"unread","data":{"conversationId":${JSON.stringify(conversationId)},"count":`,
      middle: ',"total":',
      withMessage: ',"lastMessage":',
      tail: '}}',
    };
  }

  publish(room: string, payload: Buffer): void {
    // In process the publication is synchronous up to the broker: the store's order holds.
    void this.bus.publish(room, payload);
  }

  private stamp(): EnvelopeHeader {
    return { origin: this.replica.id, publishedAt: Date.now() };
  }
}
