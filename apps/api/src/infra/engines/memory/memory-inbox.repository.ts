import { Injectable } from '@nestjs/common';
import {
  type InboxEntry,
  type InboxIndex,
  InboxRepository,
  type SearchScope,
} from '../../../modules/chat/inbox.repository';
import { MemoryChatStore } from './memory-chat-store';

/** Keeps as many of a conversation's latest activity numbers as the Redis engine. */
const ACTIVITY_HISTORY = 32;

/** The inbox of the embedded engine: the same answers as Redis's indexes, by scanning. */
@Injectable()
export class MemoryInboxRepository extends InboxRepository {
  constructor(private readonly store: MemoryChatStore) {
    super();
  }

  async latestActivity(): Promise<number> {
    return this.store.latestActivity;
  }

  async before(index: InboxIndex, below: number, limit: number): Promise<InboxEntry[]> {
    return this.store
      .entries(index)
      .filter((entry) => entry.activity < below)
      .sort((a, b) => b.activity - a.activity)
      .slice(0, limit);
  }

  async after(index: InboxIndex, above: number, limit: number): Promise<InboxEntry[]> {
    return this.store
      .entries(index)
      .filter((entry) => entry.activity > above)
      .sort((a, b) => b.activity - a.activity)
      .slice(0, limit);
  }

  async activityIn(
    index: InboxIndex,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>> {
    const wanted = new Set(conversationIds);
    return new Map(
      this.store
        .entries(index)
        .filter((entry) => wanted.has(entry.conversationId))
        .map((entry) => [entry.conversationId, entry.activity] as const),
    );
  }

  async activityAt(
    conversationIds: readonly string[],
    activity: number,
  ): Promise<Map<string, number | null>> {
    const result = new Map<string, number | null>();
    for (const id of conversationIds) {
      const history = this.store.conversation(id)?.activity ?? [];
      const then = history.find((value) => value <= activity);
      if (then !== undefined) result.set(id, then);
      else if (history.length < ACTIVITY_HISTORY) result.set(id, null);
    }
    return result;
  }

  async search(scope: SearchScope, prefix: string, limit: number): Promise<string[]> {
    const found: string[] = [];
    for (const state of this.store.conversations.values()) {
      if (scope.country !== undefined && state.record.country !== scope.country) continue;
      if (state.tokens.some((token) => token.startsWith(prefix))) found.push(state.record.id);
      if (found.length >= limit) break;
    }
    return found;
  }

  async tokens(conversationIds: readonly string[]): Promise<Map<string, string[]>> {
    return new Map(
      conversationIds.map((id) => [id, [...(this.store.conversation(id)?.tokens ?? [])]] as const),
    );
  }

  async unreadCounts(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>> {
    return new Map(conversationIds.map((id) => [id, this.store.unreadCount(userId, id)] as const));
  }

  async unread(
    userId: string,
    limit: number,
  ): Promise<{ total: number; conversations: Map<string, number>; more: boolean }> {
    const unread = (await this.before({ kind: 'unread', userId }, Infinity, Infinity)).map(
      (entry) => entry.conversationId,
    );
    return {
      total: this.store.unreadTotal(userId),
      conversations: new Map(
        unread.slice(0, limit).map((id) => [id, this.store.unreadCount(userId, id)] as const),
      ),
      more: unread.length > limit,
    };
  }

  async unreadTotal(userId: string): Promise<number> {
    return this.store.unreadTotal(userId);
  }

  async isIndexed(): Promise<boolean> {
    // Nothing written before the indexes lives in a new process.
    return true;
  }

  async markIndexed(): Promise<void> {}

  async allConversationIds(): Promise<string[]> {
    return [...this.store.conversations.keys()];
  }
}
