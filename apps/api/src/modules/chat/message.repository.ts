import { type Message } from '@chat/protocol';

/** Everything of a message but its `seq`, which the store assigns. */
export type MessageDraft = Omit<Message, 'seq'>;

export interface AppendResult {
  message: Message;
  /** False when this author already sent `clientMessageId` here: the stored message is returned. */
  created: boolean;
}

export abstract class MessageRepository {
  /**
   * Appends atomically: the next gapless `seq`, the idempotency record for
   * (author, clientMessageId) and the author index change together or not at all. In the same
   * step a created message moves its conversation to the top of every inbox it is in, adds one
   * to the unread count of every participant but its author, and is announced (`StoreAnnouncer`):
   * the message to its conversation's room, each participant's new count to their own room.
   * A retry changes and announces nothing: every replica hears a conversation's messages in
   * `seq` order, and a message is never in the log without being counted and announced.
   */
  abstract append(draft: MessageDraft, clientMessageId: string): Promise<AppendResult>;
  /** Messages with `seq` in [fromSeq, toSeq], oldest first. */
  abstract range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]>;
  abstract lastSeq(conversationId: string): Promise<number>;
  abstract lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>>;
  /** The last message of each conversation that has one. */
  abstract lastMessages(conversationIds: readonly string[]): Promise<Map<string, Message>>;
}
