import { type Message, type ServerFrame } from '@chat/protocol';
import { type Envelope, type EnvelopeHeader } from '../../../infra/realtime/envelope';

/**
 * Room names: one per conversation (its followers), one per user (all of that user's sockets),
 * and one per user whose presence someone follows (the followers of their conversations).
 */
export const rooms = {
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  user: (userId: string) => `user:${userId}`,
  presence: (userId: string) => `presence:${userId}`,
} as const;

/** Instructions for the sockets of a room, rather than frames to pass on. */
export type ControlEvent =
  /** Close the sockets of this session (logout). */
  | { type: 'session.revoked'; sessionKey: string }
  /**
   * Who may see what changed: re-check this socket's subscriptions (the one conversation, or
   * all of them when the user changed) and drop those it may no longer see.
   */
  | { type: 'access.changed'; conversationId?: string }
  /** The user came online or went offline (to the followers of their presence). */
  | { type: 'presence'; userId: string; online: boolean }
  /** Someone joined the conversation: its followers start following their presence. */
  | { type: 'participant.joined'; conversationId: string; userId: string };

/** What reaches a room's members on this replica, decoded from the bus as far as they need. */
export type RoomDelivery =
  /** A live message: its conversation's cursor orders it by `seq`; `frame` is its `message.new`. */
  | { kind: 'message'; conversationId: string; seq: number; frame: Buffer }
  /**
   * A frame for every member, except the sockets of `exceptUserId` when set. Frames with a `key`
   * replace one another: a socket that is sent them too often gets the latest per key.
   */
  | {
      kind: 'frame';
      event: ServerFrame['event'];
      frame: Buffer;
      exceptUserId?: string;
      key?: string;
    }
  | { kind: 'control'; control: ControlEvent };

/** Something on this replica that receives a room's deliveries: a socket, or a service. */
export interface RoomMember {
  receive(delivery: RoomDelivery): void;
}

/** A message ready to go to a socket: its `seq` and its encoded `message.new` frame. */
export interface LiveMessage {
  seq: number;
  frame: Buffer;
}

/** The `message.new` frame of a message read from the log (a live one arrives encoded). */
export function encodeMessage(message: Message): LiveMessage {
  return {
    seq: message.seq,
    frame: Buffer.from(
      JSON.stringify({
        event: 'message.new',
        data: { conversationId: message.conversationId, message },
      } satisfies ServerFrame),
    ),
  };
}

/** The opening of a `message.new` frame, up to where the message's JSON starts. */
export function messageFrameHead(conversationId: string): string {
  return `{"event":"message.new","data":{"conversationId":${JSON.stringify(conversationId)},"message":`;
}
export const MESSAGE_FRAME_TAIL = '}}';

export type MessageHeader = EnvelopeHeader & {
  kind: 'message';
  conversationId: string;
  seq: number;
};
export type FrameHeader = EnvelopeHeader & {
  kind: 'frame';
  event: ServerFrame['event'];
  exceptUserId?: string;
  key?: string;
};
export type ControlHeader = EnvelopeHeader & { kind: 'control' };

/** The delivery an envelope from the bus stands for; null for one this version cannot read. */
export function toDelivery({ header, body }: Envelope): RoomDelivery | null {
  switch (header.kind) {
    case 'message': {
      const { conversationId, seq } = header;
      return typeof conversationId === 'string' && typeof seq === 'number'
        ? { kind: 'message', conversationId, seq, frame: body }
        : null;
    }
    case 'frame': {
      const { event, exceptUserId, key } = header;
      if (typeof event !== 'string') return null;
      return {
        kind: 'frame',
        event: event as ServerFrame['event'],
        frame: body,
        ...(typeof exceptUserId === 'string' ? { exceptUserId } : {}),
        ...(typeof key === 'string' ? { key } : {}),
      };
    }
    case 'control':
      try {
        return { kind: 'control', control: JSON.parse(body.toString()) as ControlEvent };
      } catch {
        return null;
      }
    default:
      return null;
  }
}
