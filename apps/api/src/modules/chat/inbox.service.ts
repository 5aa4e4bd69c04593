import { Injectable } from '@nestjs/common';
import {
  type ConversationListItem,
  type ConversationListResponse,
  type ListConversationsQuery,
  type User,
} from '@chat/protocol';
import { ForbiddenError } from '../../common/domain-errors';
import { ConversationRepository } from './conversation.repository';
import { decodeCursor, encodeCursor } from './inbox-cursor';
import { type InboxIndex, InboxRepository, type SearchScope } from './inbox.repository';
import { MessageRepository } from './message.repository';
import { searchTokens } from './search-text';

/** Conversations that moved since a listing's first page, considered per page. */
const MOVED_MAX = 500;
/** Entries read per step while a filter has to look at each one. */
const SCAN_CHUNK = 100;
/** Entries one page may look at before it answers with what it found (and a cursor). */
const SCAN_BUDGET = 2_000;
/** Past this many threads for one search word, search walks the inbox instead of the matches. */
const SEARCH_CANDIDATES_MAX = 5_000;

/** A conversation in a listing's order: `key` is its activity as of the listing's snapshot. */
interface Ranked {
  conversationId: string;
  key: number;
}

interface Page {
  ranked: Ranked[];
  /** Where the next page starts, or null at the end. */
  next: number | null;
}

/** Decides which of a chunk of entries to keep (a filter the indexes cannot answer alone). */
type ChunkFilter = (conversationIds: string[]) => Promise<Set<string>>;

/**
 * Thread lists: one page at a time from the inbox indexes, most recent activity first, whatever
 * the history. A listing is a snapshot: its pages list the conversations as they were ordered
 * when the first page was read, so one that moves to the top meanwhile is neither shown twice
 * nor skipped (a client learns of the move live, from `unread`).
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  async list(user: User, query: ListConversationsQuery): Promise<ConversationListResponse> {
    const index = this.indexFor(user, query);
    const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const snapshot = cursor?.snapshot ?? (await this.inbox.latestActivity());
    const below = cursor?.below ?? Number.POSITIVE_INFINITY;
    const tokens = query.q === undefined ? [] : searchTokens(query.q);
    if (query.q !== undefined && !tokens.length) return { conversations: [], nextCursor: null };

    const filters: ChunkFilter[] = [];
    if (query.country !== undefined && (index.kind === 'user' || index.kind === 'unread')) {
      filters.push(this.countryFilter(query.country));
    }
    let candidates: Set<string> | null = null;
    if (tokens.length) {
      candidates = await this.searchCandidates(searchScopeOf(index), tokens);
      if (!candidates) filters.push(this.tokenFilter(tokens));
    }
    const filter = combine(filters);
    const { ranked, next } = candidates
      ? await this.pageOfCandidates(index, [...candidates], snapshot, below, query.limit, filter)
      : await this.pageByScan(index, snapshot, below, query.limit, filter);
    return {
      conversations: await this.render(user, ranked),
      nextCursor: next === null ? null : encodeCursor({ snapshot, below: next }),
    };
  }

  private indexFor(user: User, query: ListConversationsQuery): InboxIndex {
    if (query.unread) return { kind: 'unread', userId: user.id };
    if (query.scope === 'mine' || user.role === 'customer')
      return { kind: 'user', userId: user.id };
    if (user.role === 'staff' && user.country !== null) {
      if (query.country !== undefined && query.country !== user.country) {
        throw new ForbiddenError('You can only list the threads of your own country');
      }
      return { kind: 'country', country: user.country };
    }
    return query.country === undefined
      ? { kind: 'all' }
      : { kind: 'country', country: query.country };
  }

  /**
   * The conversations of the index in snapshot order below `below`, merging those that have not
   * moved since the snapshot (read in chunks) with those that have (placed where they were),
   * keeping those the filter keeps.
   */
  private async pageByScan(
    index: InboxIndex,
    snapshot: number,
    below: number,
    limit: number,
    filter: ChunkFilter | null,
  ): Promise<Page> {
    const moved = await this.movedSince(index, snapshot, below);
    let stableBelow = Math.min(below, snapshot + 1);
    let stable: Ranked[] = [];
    let stableDone = false;
    // Without a filter one read past the page tells whether there is more.
    const readSize = filter ? SCAN_CHUNK : limit + 1;
    const page: Ranked[] = [];
    let examined = 0;
    let lastKey = below;
    for (;;) {
      const batch: Ranked[] = [];
      while (batch.length < (filter ? SCAN_CHUNK : limit - page.length)) {
        if (!stable.length && !stableDone) {
          const chunk = await this.inbox.before(index, stableBelow, readSize);
          stableDone = chunk.length < readSize;
          stable = chunk.map((entry) => ({
            conversationId: entry.conversationId,
            key: entry.activity,
          }));
          if (chunk.length) stableBelow = chunk[chunk.length - 1]!.activity;
        }
        const head =
          stable.length && (!moved.length || stable[0]!.key > moved[0]!.key) ? stable : moved;
        const next = head.shift();
        if (!next) break;
        batch.push(next);
      }
      if (!batch.length) return { ranked: page, next: null };
      const kept = filter ? await filter(batch.map((entry) => entry.conversationId)) : null;
      for (const entry of batch) {
        examined++;
        lastKey = entry.key;
        if (kept && !kept.has(entry.conversationId)) continue;
        page.push(entry);
        if (page.length === limit) {
          const more =
            batch.indexOf(entry) < batch.length - 1 ||
            stable.length > 0 ||
            moved.length > 0 ||
            !stableDone;
          return { ranked: page, next: more ? lastKey : null };
        }
      }
      if (examined >= SCAN_BUDGET) return { ranked: page, next: lastKey };
    }
  }

  /** A search's matches in the index, in snapshot order below `below`. */
  private async pageOfCandidates(
    index: InboxIndex,
    candidates: string[],
    snapshot: number,
    below: number,
    limit: number,
    filter: ChunkFilter | null,
  ): Promise<Page> {
    const activities = await this.inbox.activityIn(index, candidates);
    const ranked: Ranked[] = [];
    const moved: string[] = [];
    for (const [conversationId, activity] of activities) {
      if (activity <= snapshot) ranked.push({ conversationId, key: activity });
      else moved.push(conversationId);
    }
    ranked.push(...(await this.placeMoved(moved, snapshot, below)));
    let inOrder = ranked.filter((entry) => entry.key < below).sort(byKeyDescending);
    if (filter) {
      const kept = await filter(inOrder.map((entry) => entry.conversationId));
      inOrder = inOrder.filter((entry) => kept.has(entry.conversationId));
    }
    const page = inOrder.slice(0, limit);
    return { ranked: page, next: inOrder.length > limit ? page[page.length - 1]!.key : null };
  }

  /** Entries of the index that moved (or came) since the snapshot, where they were then. */
  private async movedSince(index: InboxIndex, snapshot: number, below: number): Promise<Ranked[]> {
    const entries = await this.inbox.after(index, snapshot, MOVED_MAX);
    const placed = await this.placeMoved(
      entries.map((entry) => entry.conversationId),
      snapshot,
      below,
    );
    return placed.filter((entry) => entry.key < below).sort(byKeyDescending);
  }

  /**
   * Where conversations that moved since the snapshot stood then. One that did not exist yet is
   * left out (it was not in the listing); one that moved too often for its history to tell goes
   * at the top of what is left, so it is shown rather than skipped.
   */
  private async placeMoved(
    conversationIds: readonly string[],
    snapshot: number,
    below: number,
  ): Promise<Ranked[]> {
    if (!conversationIds.length) return [];
    const then = await this.inbox.activityAt(conversationIds, snapshot);
    const unknown = Math.min(below, snapshot + 1) - 0.5;
    return conversationIds.flatMap((conversationId) => {
      const activity = then.get(conversationId);
      if (activity === null) return [];
      return [{ conversationId, key: activity ?? unknown }];
    });
  }

  /**
   * The conversations with a token starting with each query word (all of them), from the words
   * that match few enough threads; the words that match too many (`bk` of a booking ref) are
   * checked against those candidates' tokens. Null when every word matches too many: the listing
   * then checks each conversation's tokens as it walks the index.
   */
  private async searchCandidates(
    scope: SearchScope,
    tokens: string[],
  ): Promise<Set<string> | null> {
    const matches = await Promise.all(
      tokens.map((token) => this.inbox.search(scope, token, SEARCH_CANDIDATES_MAX + 1)),
    );
    const narrow = matches.filter((ids) => ids.length <= SEARCH_CANDIDATES_MAX);
    if (!narrow.length) return null;
    let candidates = narrow.reduce((kept, ids) => {
      const found = new Set(ids);
      return kept.filter((id) => found.has(id));
    });
    const broad = tokens.filter((_, at) => matches[at]!.length > SEARCH_CANDIDATES_MAX);
    if (broad.length && candidates.length) {
      const kept = await this.tokenFilter(broad)(candidates);
      candidates = candidates.filter((id) => kept.has(id));
    }
    return new Set(candidates);
  }

  private tokenFilter(tokens: string[]): ChunkFilter {
    return async (conversationIds) => {
      const tokensById = await this.inbox.tokens(conversationIds);
      return new Set(
        conversationIds.filter((id) => {
          const own = tokensById.get(id) ?? [];
          return tokens.every((token) => own.some((candidate) => candidate.startsWith(token)));
        }),
      );
    };
  }

  private countryFilter(country: string): ChunkFilter {
    return async (conversationIds) =>
      new Set(
        (await this.conversations.findByIds(conversationIds))
          .filter((record) => record.country === country)
          .map((record) => record.id),
      );
  }

  private async render(user: User, ranked: Ranked[]): Promise<ConversationListItem[]> {
    const ids = ranked.map((entry) => entry.conversationId);
    if (!ids.length) return [];
    const [records, lastMessages, unread] = await Promise.all([
      this.conversations.findByIds(ids),
      this.messages.lastMessages(ids),
      this.inbox.unreadCounts(user.id, ids),
    ]);
    const byId = new Map(records.map((record) => [record.id, record] as const));
    return ids.flatMap((id) => {
      const record = byId.get(id);
      if (!record) return [];
      return [
        {
          id,
          bookingRef: record.bookingRef,
          title: record.title,
          lastMessage: lastMessages.get(id) ?? null,
          unreadCount: unread.get(id) ?? 0,
        },
      ];
    });
  }
}

function searchScopeOf(index: InboxIndex): SearchScope {
  return index.kind === 'country' ? { country: index.country } : {};
}

function byKeyDescending(a: Ranked, b: Ranked): number {
  return b.key - a.key;
}

function combine(filters: ChunkFilter[]): ChunkFilter | null {
  if (!filters.length) return null;
  return async (conversationIds) => {
    let kept = conversationIds;
    for (const filter of filters) {
      const passed = await filter(kept);
      kept = kept.filter((id) => passed.has(id));
    }
    return new Set(kept);
  };
}
