import { Injectable } from '@nestjs/common';
import {
  type ConversationRecord,
  ConversationRepository,
} from '../../../modules/chat/conversation.repository';
import { MemoryChatStore } from './memory-chat-store';

@Injectable()
export class MemoryConversationRepository extends ConversationRepository {
  constructor(private readonly store: MemoryChatStore) {
    super();
  }

  async findById(id: string): Promise<ConversationRecord | null> {
    const state = this.store.conversation(id);
    return state ? { ...state.record } : null;
  }

  async findByIds(ids: readonly string[]): Promise<ConversationRecord[]> {
    return ids.flatMap((id) => {
      const state = this.store.conversation(id);
      return state ? [{ ...state.record }] : [];
    });
  }

  async save(conversation: ConversationRecord, searchTokens: readonly string[]): Promise<void> {
    const existing = this.store.conversation(conversation.id);
    if (existing) {
      existing.record = { ...conversation, createdAt: existing.record.createdAt };
      existing.tokens = [...searchTokens];
      return;
    }
    const state = {
      record: { ...conversation },
      participants: new Set<string>(),
      messages: [],
      seqByClientMessageId: new Map<string, number>(),
      activity: [],
      tokens: [...searchTokens],
    };
    this.store.conversations.set(conversation.id, state);
    this.store.touch(state);
  }

  async setSearchTokens(conversationId: string, searchTokens: readonly string[]): Promise<void> {
    const state = this.store.conversation(conversationId);
    if (state) state.tokens = [...searchTokens];
  }

  async addParticipant(conversationId: string, userId: string): Promise<boolean> {
    const state = this.store.conversation(conversationId);
    if (!state) return false;
    const added = !state.participants.has(userId);
    state.participants.add(userId);
    let joined = this.store.conversationsByUser.get(userId);
    if (!joined) {
      joined = new Set();
      this.store.conversationsByUser.set(userId, joined);
    }
    joined.add(conversationId);
    this.store.setUnread(userId, conversationId, this.store.derivedUnread(state, userId));
    return added;
  }

  async removeParticipant(conversationId: string, userId: string): Promise<boolean> {
    const removed = this.store.conversation(conversationId)?.participants.delete(userId) ?? false;
    this.store.conversationsByUser.get(userId)?.delete(conversationId);
    this.store.setUnread(userId, conversationId, 0);
    return removed;
  }

  async isParticipant(conversationId: string, userId: string): Promise<boolean> {
    return this.store.conversation(conversationId)?.participants.has(userId) ?? false;
  }

  async listParticipants(conversationId: string): Promise<string[]> {
    return [...(this.store.conversation(conversationId)?.participants ?? [])];
  }

  async listForUser(userId: string): Promise<string[]> {
    return [...(this.store.conversationsByUser.get(userId) ?? [])];
  }
}
