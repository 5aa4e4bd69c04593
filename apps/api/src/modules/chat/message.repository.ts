import { type Message } from '@chat/protocol';

/** Everything of a message but its `seq`, which the store assigns. */
export type MessageDraft = Omit<Message, 'seq'>;

export interface AppendResult {
  message: Message;
  /** False when this author already sent `clientMessageId` here: the stored message is returned. */
  created: boolean;
}

/** The bytes published for a message: `head + seq + middle + messageJson + tail`, to `room`. */
export interface AnnouncementTemplate {
  room: string;
  head: string;
  middle: string;
  tail: string;
}

/**
 * How a store announces a message it appends, in the same atomic step (bound by the realtime
 * delivery module, which decides what the announcement looks like and who hears it).
 */
export abstract class MessageAnnouncer {
  /** The bytes around a message of this conversation, for a store that publishes itself. */
  abstract template(conversationId: string): AnnouncementTemplate;
  /** Publishes from this process, for a store that lives in it. */
  abstract publish(room: string, payload: Buffer): void;
}

export abstract class MessageRepository {
  /**
   * Appends atomically: the next gapless `seq`, the idempotency record for
   * (author, clientMessageId) and the author index change together or not at all, and a
   * created message is announced in that same step ({@link MessageAnnouncer}; a retry announces
   * nothing): every replica hears a conversation's messages in `seq` order, and a message is
   * never in the log without being announced.
   */
  abstract append(draft: MessageDraft, clientMessageId: string): Promise<AppendResult>;
  /** Messages with `seq` in [fromSeq, toSeq], oldest first. */
  abstract range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]>;
  abstract lastSeq(conversationId: string): Promise<number>;
  abstract lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>>;
  /** How many messages with `seq > afterSeq` were written by someone other than `userId`. */
  abstract countFromOthers(
    conversationId: string,
    userId: string,
    afterSeq: number,
  ): Promise<number>;
  /** {@link countFromOthers} for many (conversation, user, marker) at once, in order. */
  countsFromOthers(queries: readonly CountQuery[]): Promise<number[]> {
    return Promise.all(
      queries.map(({ conversationId, userId, afterSeq }) =>
        this.countFromOthers(conversationId, userId, afterSeq),
      ),
    );
  }
}

export interface CountQuery {
  conversationId: string;
  userId: string;
  afterSeq: number;
}
