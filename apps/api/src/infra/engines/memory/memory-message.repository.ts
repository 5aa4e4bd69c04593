import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/protocol';
import {
  type AppendResult,
  type MessageDraft,
  MessageRepository,
} from '../../../modules/chat/message.repository';
import { MemoryChatStore } from './memory-chat-store';

@Injectable()
export class MemoryMessageRepository extends MessageRepository {
  constructor(private readonly store: MemoryChatStore) {
    super();
  }

  async append(draft: MessageDraft, clientMessageId: string): Promise<AppendResult> {
    const state = this.store.conversation(draft.conversationId);
    if (!state) throw new Error(`no conversation ${draft.conversationId}`);
    const idempotencyKey = `${draft.author.id}:${clientMessageId}`;
    const existingSeq = state.seqByClientMessageId.get(idempotencyKey);
    if (existingSeq !== undefined) {
      return { message: structuredClone(state.messages[existingSeq - 1]!), created: false };
    }
    const message: Message = { ...structuredClone(draft), seq: state.messages.length + 1 };
    state.messages.push(message);
    state.seqByClientMessageId.set(idempotencyKey, message.seq);
    // In the same step as the append, as the Redis engine's script does: the announcement, the
    // conversation's place in every inbox, and each participant's unread count.
    const { announcer } = this.store;
    const template = announcer.message(message.conversationId);
    const json = JSON.stringify(message);
    announcer.publish(
      template.room,
      Buffer.from(`${template.head}${message.seq}${template.middle}${json}${template.tail}`),
    );
    this.store.touch(state);
    for (const userId of state.participants) {
      if (userId !== message.author.id) {
        this.store.setUnread(
          userId,
          message.conversationId,
          this.store.unreadCount(userId, message.conversationId) + 1,
        );
      }
      this.store.announceUnread(userId, message.conversationId, message);
    }
    return { message: structuredClone(message), created: true };
  }

  async range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]> {
    const messages = this.store.conversation(conversationId)?.messages ?? [];
    return structuredClone(messages.slice(Math.max(fromSeq, 1) - 1, Math.max(toSeq, 0)));
  }

  async lastSeq(conversationId: string): Promise<number> {
    return this.store.conversation(conversationId)?.messages.length ?? 0;
  }

  async lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(
      conversationIds.map((id) => [id, this.store.conversation(id)?.messages.length ?? 0] as const),
    );
  }

  async lastMessages(conversationIds: readonly string[]): Promise<Map<string, Message>> {
    const result = new Map<string, Message>();
    for (const id of conversationIds) {
      const last = this.store.conversation(id)?.messages.at(-1);
      if (last) result.set(id, structuredClone(last));
    }
    return result;
  }
}
