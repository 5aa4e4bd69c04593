import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/protocol';
import { type ConversationRecord } from '../../../modules/chat/conversation.repository';
import { type InboxIndex } from '../../../modules/chat/inbox.repository';
import { StoreAnnouncer, unreadPayload } from '../../../modules/chat/store-announcer.port';

/** Keeps as many of a conversation's latest activity numbers as the Redis engine. */
const ACTIVITY_HISTORY = 32;

interface ConversationState {
  record: ConversationRecord;
  /** In join order. */
  participants: Set<string>;
  messages: Message[];
  seqByClientMessageId: Map<string, number>;
  /** Latest activity numbers, newest first. */
  activity: number[];
  tokens: string[];
}

/**
 * The embedded engine's chat data, shared by its conversation, message, read-state and inbox
 * repositories, so that what one Redis script does in one step is done here in one step too: a
 * message moves every participant's inbox entry and unread count as it is appended.
 */
@Injectable()
export class MemoryChatStore {
  readonly conversations = new Map<string, ConversationState>();
  readonly conversationsByUser = new Map<string, Set<string>>();
  /** userId → conversationId → read marker. */
  readonly markers = new Map<string, Map<string, number>>();
  /** userId → conversationId → unread count (non-zero only). */
  readonly unread = new Map<string, Map<string, number>>();
  private activitySequence = 0;

  constructor(readonly announcer: StoreAnnouncer) {}

  get latestActivity(): number {
    return this.activitySequence;
  }

  conversation(id: string): ConversationState | undefined {
    return this.conversations.get(id);
  }

  /** The next activity number for the conversation: it moves to the top of its inboxes. */
  touch(state: ConversationState): number {
    const activity = ++this.activitySequence;
    state.activity.unshift(activity);
    state.activity.length = Math.min(state.activity.length, ACTIVITY_HISTORY);
    return activity;
  }

  activityOf(state: ConversationState): number {
    return state.activity[0] ?? 0;
  }

  /** Messages from others above the user's read marker. */
  derivedUnread(state: ConversationState, userId: string): number {
    const marker = this.marker(userId, state.record.id);
    let count = 0;
    for (let index = marker; index < state.messages.length; index++) {
      if (state.messages[index]!.author.id !== userId) count++;
    }
    return count;
  }

  marker(userId: string, conversationId: string): number {
    return this.markers.get(userId)?.get(conversationId) ?? 0;
  }

  unreadCount(userId: string, conversationId: string): number {
    return this.unread.get(userId)?.get(conversationId) ?? 0;
  }

  unreadTotal(userId: string): number {
    let total = 0;
    for (const count of this.unread.get(userId)?.values() ?? []) total += count;
    return total;
  }

  setUnread(userId: string, conversationId: string, count: number): void {
    let counts = this.unread.get(userId);
    if (!counts) {
      counts = new Map();
      this.unread.set(userId, counts);
    }
    if (count > 0) counts.set(conversationId, count);
    else counts.delete(conversationId);
  }

  /** Tells the user's sockets their count in the conversation (and the message that changed it). */
  announceUnread(userId: string, conversationId: string, message?: Message): void {
    const template = this.announcer.unread(conversationId);
    this.announcer.publish(
      template.userRoomPrefix + userId,
      Buffer.from(
        unreadPayload(
          template,
          this.unreadCount(userId, conversationId),
          this.unreadTotal(userId),
          message === undefined ? undefined : JSON.stringify(message),
        ),
      ),
    );
  }

  /** The entries of an index, with their activity. */
  entries(index: InboxIndex): Array<{ conversationId: string; activity: number }> {
    const states = (): Iterable<ConversationState> => {
      switch (index.kind) {
        case 'all':
          return this.conversations.values();
        case 'country':
          return [...this.conversations.values()].filter(
            (state) => state.record.country === index.country,
          );
        case 'user':
        case 'unread':
          return [...(this.conversationsByUser.get(index.userId) ?? [])].flatMap((id) => {
            const state = this.conversations.get(id);
            if (!state) return [];
            if (index.kind === 'unread' && !this.unreadCount(index.userId, id)) return [];
            return [state];
          });
      }
    };
    return [...states()].map((state) => ({
      conversationId: state.record.id,
      activity: this.activityOf(state),
    }));
  }
}
