import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/protocol';
import {
  type AppendResult,
  type MessageDraft,
  MessageAnnouncer,
  MessageRepository,
} from '../../../modules/chat/message.repository';

interface ConversationLog {
  messages: Message[];
  seqByClientMessageId: Map<string, number>;
}

@Injectable()
export class MemoryMessageRepository extends MessageRepository {
  private readonly logs = new Map<string, ConversationLog>();

  constructor(private readonly announcer: MessageAnnouncer) {
    super();
  }

  async append(draft: MessageDraft, clientMessageId: string): Promise<AppendResult> {
    const log = this.logFor(draft.conversationId);
    const idempotencyKey = `${draft.author.id}:${clientMessageId}`;
    const existingSeq = log.seqByClientMessageId.get(idempotencyKey);
    if (existingSeq !== undefined) {
      return { message: structuredClone(log.messages[existingSeq - 1]!), created: false };
    }
    const message: Message = { ...structuredClone(draft), seq: log.messages.length + 1 };
    log.messages.push(message);
    log.seqByClientMessageId.set(idempotencyKey, message.seq);
    // In the same step as the append, as the Redis engine's script does.
    const { room, head, middle, tail } = this.announcer.template(message.conversationId);
    this.announcer.publish(
      room,
      Buffer.from(`${head}${message.seq}${middle}${JSON.stringify(message)}${tail}`),
    );
    return { message: structuredClone(message), created: true };
  }

  async range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]> {
    const messages = this.logs.get(conversationId)?.messages ?? [];
    return structuredClone(messages.slice(Math.max(fromSeq, 1) - 1, Math.max(toSeq, 0)));
  }

  async lastSeq(conversationId: string): Promise<number> {
    return this.logs.get(conversationId)?.messages.length ?? 0;
  }

  async lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(
      conversationIds.map((id) => [id, this.logs.get(id)?.messages.length ?? 0] as const),
    );
  }

  async countFromOthers(conversationId: string, userId: string, afterSeq: number): Promise<number> {
    const messages = this.logs.get(conversationId)?.messages ?? [];
    let count = 0;
    for (let index = Math.max(afterSeq, 0); index < messages.length; index++) {
      if (messages[index]!.author.id !== userId) count++;
    }
    return count;
  }

  private logFor(conversationId: string): ConversationLog {
    let log = this.logs.get(conversationId);
    if (!log) {
      log = { messages: [], seqByClientMessageId: new Map() };
      this.logs.set(conversationId, log);
    }
    return log;
  }
}
