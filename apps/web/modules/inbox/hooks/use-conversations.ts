'use client';

import type { ConversationListItem } from '@chat/protocol';
import { useEffect, useMemo } from 'react';
import { useStore } from 'zustand';
import { useServices } from '@/modules/shell/components/app-providers';
import type { ConversationQuery, ConversationsStore } from '../state/conversations-store';
import { useChatUnreadByConversation } from './use-chat-unread';

export interface InboxEntry extends ConversationListItem {
  /** Live: from the unread counts, which move before the list is asked for again. */
  unread: number;
}

export interface ConversationsView {
  entries: InboxEntry[] | null;
  failed: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
}

/** How long typing in the search box rests before the server is asked. */
export const SEARCH_DEBOUNCE_MS = 250;

/**
 * The inbox's one way to its data: pages of `GET /api/chat/conversations` for a query (scope,
 * unread, search), kept current by the store, with live unread counts.
 */
export function useConversations(
  list: 'inbox' | 'unread',
  query: Partial<ConversationQuery> = {},
): ConversationsView {
  const services = useServices();
  const store: ConversationsStore =
    list === 'inbox' ? services.conversations : services.unreadConversations;
  const { scope, unread: unreadOnly, search } = query;
  useEffect(() => {
    const apply = () =>
      store.setQuery({
        ...(scope === undefined ? {} : { scope }),
        ...(unreadOnly === undefined ? {} : { unread: unreadOnly }),
        ...(search === undefined ? {} : { search: search.trim() }),
      });
    if (!search) {
      apply();
      return;
    }
    const timer = setTimeout(apply, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [store, scope, unreadOnly, search]);

  const items = useStore(store.store, (state) => state.items);
  const failed = useStore(store.store, (state) => state.failed);
  const hasMore = useStore(store.store, (state) => state.nextCursor !== null);
  const loadingMore = useStore(store.store, (state) => state.loadingMore);
  const unread = useChatUnreadByConversation();
  const entries = useMemo(
    () => items?.map((item) => ({ ...item, unread: unread[item.id] ?? item.unreadCount })) ?? null,
    [items, unread],
  );
  return { entries, failed, hasMore, loadingMore, loadMore: () => void store.loadMore() };
}

/** The scope the inbox shows, for its toggle. */
export function useInboxScope(): [
  ConversationQuery['scope'],
  (scope: ConversationQuery['scope']) => void,
] {
  const { conversations } = useServices();
  const scope = useStore(conversations.store, (state) => state.query.scope);
  return [scope, (next) => conversations.setQuery({ scope: next })];
}
