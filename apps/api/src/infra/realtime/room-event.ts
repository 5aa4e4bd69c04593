import { type Message, type ServerFrame } from '@chat/protocol';

/**
 * Room names: one per conversation, one per user (all of that user's sockets), and one that
 * every replica is in, for changes to unread counts.
 */
export const rooms = {
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  user: (userId: string) => `user:${userId}`,
  unread: () => 'unread',
} as const;

/** What travels to the members of a room on every replica. */
export type RoomEvent =
  /** A frame for every member, except the sockets of `exceptUserId` when set. */
  | { type: 'frame'; frame: ServerFrame; exceptUserId?: string }
  /** Close the sockets of this session (logout). */
  | { type: 'session.revoked'; sessionKey: string }
  /**
   * Who may see what changed: re-check this socket's subscriptions (the one conversation, or
   * all of them when the user changed) and drop those it may no longer see.
   */
  | { type: 'access.changed'; conversationId?: string }
  /**
   * These users' unread counts in the conversation changed, because of a new message by someone
   * else or because they read. Every replica tells its own sockets of these users.
   */
  | { type: 'unread.changed'; conversationId: string; userIds: string[]; cause: UnreadCause };

/** Why unread counts changed: a socket subscribed to the conversation has the message itself. */
export type UnreadCause = 'message' | 'read';

export interface RoomEnvelope {
  room: string;
  /** The replica that published it. */
  origin: string;
  /** Wall-clock ms at publication, for the fanout latency histogram. */
  publishedAt: number;
  event: RoomEvent;
}

/** Something on this replica that receives a room's events: a socket, or a service. */
export interface RoomMember {
  deliver(event: RoomEvent, room: string): void;
}

/**
 * A new message's `message.new` to its conversation's room, published by the store in the same
 * step as the append: the log and the bus then see a conversation's messages in the same order.
 */
export interface MessageAnnouncement {
  origin: string;
  publishedAt: number;
}

/** The envelope that announces `message` to the members of its conversation's room. */
export function messageEnvelope(announcement: MessageAnnouncement, message: Message): RoomEnvelope {
  const { conversationId } = message;
  return {
    room: rooms.conversation(conversationId),
    origin: announcement.origin,
    publishedAt: announcement.publishedAt,
    event: { type: 'frame', frame: { event: 'message.new', data: { conversationId, message } } },
  };
}

/**
 * {@link messageEnvelope} as the JSON text around the message's own JSON (`head + json + tail`),
 * for a store that writes the message and publishes it in one script.
 */
export function messageEnvelopeText(
  announcement: MessageAnnouncement,
  conversationId: string,
): { room: string; head: string; tail: string } {
  const room = rooms.conversation(conversationId);
  const head =
    `{"room":${JSON.stringify(room)},"origin":${JSON.stringify(announcement.origin)},` +
    `"publishedAt":${JSON.stringify(announcement.publishedAt)},"event":{"type":"frame",` +
    `"frame":{"event":"message.new","data":{"conversationId":${JSON.stringify(conversationId)},` +
    `"message":`;
  return { room, head, tail: '}}}}' };
}
