import { Injectable } from '@nestjs/common';
import {
  type ConversationRecord,
  ConversationRepository,
} from '../../../modules/chat/conversation.repository';

@Injectable()
export class MemoryConversationRepository extends ConversationRepository {
  private readonly conversations = new Map<string, ConversationRecord>();
  // Sets keep insertion order, which is the join order.
  private readonly participants = new Map<string, Set<string>>();
  private readonly conversationsByUser = new Map<string, Set<string>>();

  async findById(id: string): Promise<ConversationRecord | null> {
    const conversation = this.conversations.get(id);
    return conversation ? { ...conversation } : null;
  }

  async findByIds(ids: readonly string[]): Promise<ConversationRecord[]> {
    return ids.flatMap((id) => {
      const conversation = this.conversations.get(id);
      return conversation ? [{ ...conversation }] : [];
    });
  }

  async save(conversation: ConversationRecord): Promise<void> {
    const existing = this.conversations.get(conversation.id);
    this.conversations.set(conversation.id, {
      ...conversation,
      createdAt: existing?.createdAt ?? conversation.createdAt,
    });
  }

  async listIds(filter: { country?: string }): Promise<string[]> {
    return [...this.conversations.values()]
      .filter((conversation) => !filter.country || conversation.country === filter.country)
      .map((conversation) => conversation.id);
  }

  async addParticipant(conversationId: string, userId: string): Promise<boolean> {
    const members = this.participants.get(conversationId) ?? new Set<string>();
    this.participants.set(conversationId, members);
    if (members.has(userId)) return false;
    members.add(userId);
    const joined = this.conversationsByUser.get(userId) ?? new Set<string>();
    joined.add(conversationId);
    this.conversationsByUser.set(userId, joined);
    return true;
  }

  async isParticipant(conversationId: string, userId: string): Promise<boolean> {
    return this.participants.get(conversationId)?.has(userId) ?? false;
  }

  async listParticipants(conversationId: string): Promise<string[]> {
    return [...(this.participants.get(conversationId) ?? [])];
  }

  async listForUser(userId: string): Promise<string[]> {
    return [...(this.conversationsByUser.get(userId) ?? [])];
  }
}
