import { type Message } from '@chat/protocol';
import { type MessageAnnouncement } from '../../infra/realtime/room-event';

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
   * (author, clientMessageId) and the author index change together or not at all.
   * With `announcement`, a created message's `message.new` is published to its conversation's
   * room in that same step (a retry publishes nothing): every replica hears a conversation's
   * messages in `seq` order, and a message is never in the log without being announced.
   */
  abstract append(
    draft: MessageDraft,
    clientMessageId: string,
    announcement?: MessageAnnouncement,
  ): Promise<AppendResult>;
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
