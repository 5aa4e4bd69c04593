/**
 * The orders conversations are listed in, kept on every write. Each is sorted by activity: a
 * number from one platform-wide sequence that a conversation takes on creation and on every
 * message, so a higher number means more recent, and no two conversations share one.
 */
export type InboxIndex =
  /** The conversations a user takes part in. */
  | { kind: 'user'; userId: string }
  /** …of those, the ones with messages the user has not read. */
  | { kind: 'unread'; userId: string }
  | { kind: 'country'; country: string }
  | { kind: 'all' };

export interface InboxEntry {
  conversationId: string;
  activity: number;
}

/** Where prefix search looks: every conversation, or one country's. */
export type SearchScope = { country: string } | { country?: undefined };

export abstract class InboxRepository {
  /** The activity of the most recent change; everything after it gets a higher number. */
  abstract latestActivity(): Promise<number>;
  /** Entries with activity below `below`, most recent first, at most `limit`. */
  abstract before(index: InboxIndex, below: number, limit: number): Promise<InboxEntry[]>;
  /** Entries with activity above `above` (they moved or came since), at most `limit`. */
  abstract after(index: InboxIndex, above: number, limit: number): Promise<InboxEntry[]>;
  /** The activity of each conversation in the index; those not in it are left out. */
  abstract activityIn(
    index: InboxIndex,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>>;
  /**
   * Each conversation's activity as it was when `activity` was the latest: `null` when it did
   * not exist yet; left out when it moved too often since for its history to tell.
   */
  abstract activityAt(
    conversationIds: readonly string[],
    activity: number,
  ): Promise<Map<string, number | null>>;
  /** Conversations with a search token that starts with `prefix`, at most `limit`. */
  abstract search(scope: SearchScope, prefix: string, limit: number): Promise<string[]>;
  /** The search tokens of each conversation. */
  abstract tokens(conversationIds: readonly string[]): Promise<Map<string, string[]>>;

  /** The user's unread count in each of the conversations (0 for none). */
  abstract unreadCounts(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>>;
  /**
   * The user's total, and the counts of at most `limit` conversations with unread messages, the
   * most recently active first; `more` when there are others.
   */
  abstract unread(
    userId: string,
    limit: number,
  ): Promise<{ total: number; conversations: Map<string, number>; more: boolean }>;
  abstract unreadTotal(userId: string): Promise<number>;

  /** Whether the indexes were built for what the store held before they existed. */
  abstract isIndexed(): Promise<boolean>;
  abstract markIndexed(): Promise<void>;
  /** Every conversation, for the indexer. */
  abstract allConversationIds(): Promise<string[]>;
}
