import { Injectable } from '@nestjs/common';
import { type ReadResult, ReadStateRepository } from '../../../modules/chat/read-state.repository';
import { MemoryChatStore } from './memory-chat-store';

@Injectable()
export class MemoryReadStateRepository extends ReadStateRepository {
  constructor(private readonly store: MemoryChatStore) {
    super();
  }

  async advance(userId: string, conversationId: string, seq: number): Promise<ReadResult> {
    const state = this.store.conversation(conversationId);
    const current = this.store.marker(userId, conversationId);
    const marker = Math.max(current, Math.min(seq, state?.messages.length ?? 0));
    let markers = this.store.markers.get(userId);
    if (!markers) {
      markers = new Map();
      this.store.markers.set(userId, markers);
    }
    markers.set(conversationId, marker);
    const count = state ? this.store.derivedUnread(state, userId) : 0;
    if (state?.participants.has(userId)) {
      const previous = this.store.unreadCount(userId, conversationId);
      this.store.setUnread(userId, conversationId, count);
      if (marker !== current || count !== previous) {
        this.store.announceUnread(userId, conversationId);
      }
    }
    return { marker, count, total: this.store.unreadTotal(userId) };
  }

  async get(userId: string, conversationId: string): Promise<number> {
    return this.store.marker(userId, conversationId);
  }
}
