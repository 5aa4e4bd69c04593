/** The bytes a store publishes for a message: `head + seq + middle + messageJson + tail`, to `room`. */
export interface MessageTemplate {
  room: string;
  head: string;
  middle: string;
  tail: string;
}

/**
 * The bytes a store publishes to a user's room when their unread count or their inbox changes:
 * `head + count + middle + total + tail`, or with the message that caused it,
 * `head + count + middle + total + withMessage + messageJson + tail`. The room of a user is
 * `userRoomPrefix + userId`.
 */
export interface UnreadTemplate {
  userRoomPrefix: string;
  head: string;
  middle: string;
  withMessage: string;
  tail: string;
}

/**
 * How the stores announce what they change, in the same atomic step as the change (bound by the
 * realtime delivery module, which decides what announcements look like and who hears them): a
 * message to its conversation's room as it is appended, and each participant's new unread
 * count to their own room. Announcing inside the step keeps the bus in the order of the
 * changes: a conversation's messages in `seq` order, a user's counts in the order they changed.
 */
export abstract class StoreAnnouncer {
  abstract message(conversationId: string): MessageTemplate;
  abstract unread(conversationId: string): UnreadTemplate;
  /** Publishes from this process, for a store that lives in it. */
  abstract publish(room: string, payload: Buffer): void;
}

/** The payload of {@link UnreadTemplate} for one user. */
export function unreadPayload(
  template: UnreadTemplate,
  count: number,
  total: number,
  messageJson?: string,
): string {
  const { head, middle, withMessage, tail } = template;
  return messageJson === undefined
    ? `${head}${count}${middle}${total}${tail}`
    : `${head}${count}${middle}${total}${withMessage}${messageJson}${tail}`;
}
